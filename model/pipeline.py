"""The whole tagger as one scikit-learn object."""
from __future__ import annotations

from typing import Any

from sklearn.pipeline import Pipeline

from model.estimator import TaggerModel
from model.features import ArticlePreparer


def build_pipeline(tokenizer: str = "syllable", **model_params: Any) -> Pipeline:
    """Raw articles -> `Prepared` records -> one probability per label.

    `model_params` go to `TaggerModel` (see its docstring).
    """
    return Pipeline([
        ("prepare", ArticlePreparer(tokenizer=tokenizer)),
        ("tag", TaggerModel(**model_params)),
    ])
