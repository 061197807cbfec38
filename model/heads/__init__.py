"""The label families' heads, each a mixin of `model.estimator.TaggerModel` over the shared features."""
