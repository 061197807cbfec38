"""The labels the tagger scores, in the order of its probability columns."""
from __future__ import annotations

from model.gazetteer import load_gazetteer

TOPICS = ("5g", "ai", "semiconductors", "cybersecurity")
COOPERATION = "cooperation"
BIG_FOUR = ("JP", "KR", "US", "CN")  # the countries the analysts follow most, scored as a family of their own
PARTNER_PREFIX = "partner:"  # "partner:JP": Japan is a foreign side of the reported cooperation


def partner_label(code: str) -> str:
    """The label that scores country `code` as a partner of the cooperation."""
    return PARTNER_PREFIX + code


def is_partner(label: str) -> bool:
    return label.startswith(PARTNER_PREFIX)


def label_names() -> list[str]:
    """All labels: topics, cooperation, the foreign countries, then each foreign country as a partner."""
    codes = load_gazetteer().foreign_codes
    return [*TOPICS, COOPERATION, *codes, *map(partner_label, codes)]


def country_labels(labels: list[str]) -> list[str]:
    """The country codes among `labels` (neither a topic, cooperation nor a partner)."""
    return [label for label in labels if label not in TOPICS and label != COOPERATION and not is_partner(label)]
