"""Training, evaluation and the keyword baseline of the tagger."""
