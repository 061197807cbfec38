"""The keyword baseline: tag a label when one of its keywords appears anywhere."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from model.article import to_article
from model.gazetteer import load_gazetteer
from model.keywords import keyword_matcher
from model.labels import COOPERATION, partner_label
from model.text import normalize


def keyword_baseline(articles: Iterable[Mapping[str, Any]], labels: list[str]) -> np.ndarray:
    """Indicator matrix over `labels`: a topic or "cooperation" when one of its
    keywords occurs, a country when one of its names occurs, anywhere in the
    article, and every country named as a partner when "cooperation" is given.

    Raises
    ------
    InputError
        If an article has no usable text.
    """
    matcher, gazetteer = keyword_matcher(), load_gazetteer()
    col = {label: j for j, label in enumerate(labels)}
    rows = []
    for record in articles:
        art = to_article(record)
        text = normalize(" \n".join([art.title, art.lead, art.text]))
        row = np.zeros(len(labels), dtype=int)
        for label, n in matcher.counts(text).items():
            if n and label in col:
                row[col[label]] = 1
        for m in gazetteer.find(text):
            if m.group == "names" and m.code in col:
                row[col[m.code]] = 1
                # Partners: every country named, when a cooperation word is there too.
                partner = col.get(partner_label(m.code))
                if partner is not None and COOPERATION in col and row[col[COOPERATION]]:
                    row[partner] = 1
        rows.append(row)
    return np.vstack(rows) if rows else np.zeros((0, len(labels)), dtype=int)
