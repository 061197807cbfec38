"""Domain errors, raised deep inside and translated at the edges (HTTP, CLI)."""
from __future__ import annotations


class TaggerError(Exception):
    """Base class for every error this package raises on purpose."""


class InputError(TaggerError, ValueError):
    """An article is not usable: missing, empty or non-string fields."""


class BundleError(TaggerError):
    """A model bundle cannot be trusted or loaded (checksum, version, format)."""
