"""A fingerprint of the words the model reads beside its bundle.

The keyword tables (`model.keywords`) and the gazetteer (`model/gazetteer.json`, with the
word lists `model.gazetteer` reads mentions by) are read from this package at run time, not
from the bundle: editing them changes what a shipped
bundle gives (a stop phrase mends a false tag without a retrain) under the same
`model_version`. A bundle records the fingerprint of those it was trained with
(`lexicon_sha256` in its manifest), so that `GET /v1/model`, `tagger evaluate` and the
loader can say when the running ones differ.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from typing import Any

from model.gazetteer import GAZETTEER_PATH, PERSON_TITLES, SENTENCE_OPENERS
from model.keywords import CONTEXT_CUES, KEYWORDS, STOPS, TOPIC_CUES


@lru_cache(maxsize=1)
def lexicon_sha256() -> str:
    """sha256 of the keyword tables and the gazetteer's word lists (as sorted JSON), followed by
    the gazetteer file's bytes; the same in every process.

    Raises OSError if the gazetteer cannot be read.
    """
    tables = {"keywords": KEYWORDS, "cues": CONTEXT_CUES, "stops": STOPS, "topic_cues": TOPIC_CUES,
              "person_titles": sorted(PERSON_TITLES), "sentence_openers": sorted(SENTENCE_OPENERS)}
    digest = hashlib.sha256(json.dumps(tables, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    digest.update(GAZETTEER_PATH.read_bytes())
    return digest.hexdigest()


def lexicon_state(manifest: dict[str, Any]) -> dict[str, Any]:
    """The fingerprint a bundle's `manifest` was trained with, the running one, and whether they
    are the same (None when the bundle predates the fingerprint)."""
    trained, running = manifest.get("lexicon_sha256"), lexicon_sha256()
    return {"trained": trained, "running": running, "same": None if trained is None else trained == running}


def lexicon_drift(manifest: dict[str, Any]) -> str | None:
    """A sentence saying that the running keyword tables or gazetteer differ from those the
    bundle of `manifest` was trained with, or None when they are the same (or it is unknown)."""
    if lexicon_state(manifest)["same"] is not False:
        return None
    return ("model/keywords.py or model/gazetteer.json differ from those this model was trained with: "
            "its tags can differ from its recorded figures until it is retrained (tagger train)")
