"""The REST service and the batch command line of the tagger."""
from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    """`create_app`, imported on first use: importing a light module of this package
    (`service.lifeline`, which training uses) must not load Flask and the whole app."""
    if name == "create_app":
        from service.app import create_app

        return create_app
    raise AttributeError(f"module 'service' has no attribute {name!r}")
