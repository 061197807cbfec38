"""The Vietnamese technology-news tagger: model, features and bundle loading."""
