"""Re-save a bundle of format 1 in the current format: the same model, the same scores.

    python -m model.upgrade model/artifacts/tagger.joblib /tmp/new/tagger.joblib

Format 2 (`model.bundle.FORMAT_VERSION`) pickles the vocabularies as strings and
no longer pickles `feature_names_`; nothing learnt changes, so a shipped model
can move to it without retraining. The old file is checked against its
manifest before it is unpickled, like `load_bundle` does.
"""
from __future__ import annotations

import sys
from pathlib import Path

import joblib
import numpy as np

from model.bundle import FORMAT, _read_manifest, _sha256, load_bundle, save_bundle
from model.errors import BundleError
from model.tagger import Tagger

UPGRADABLE = (1,)


def upgrade_bundle(old: str | Path, new: str | Path) -> Path:
    """Write the bundle at `old` (format 1) to `new` in the current format; return `new`.

    Raises
    ------
    BundleError
        If `old` is not a bundle of an upgradable format, does not match its
        manifest, or the upgraded bundle does not give the same scores.
    """
    old, new = Path(old), Path(new)
    if old.resolve() == new.resolve():
        raise BundleError("write the upgraded bundle to another path than the old one")
    manifest = _read_manifest(old)
    if manifest.get("format_version") not in UPGRADABLE:
        raise BundleError(f"{old.name} has bundle format {manifest.get('format_version')}; "
                          f"this upgrades formats {UPGRADABLE}")
    if old.stat().st_size != manifest.get("bundle_bytes") or _sha256(old) != manifest.get("bundle_sha256"):
        raise BundleError(f"{old.name} does not match the checksum in its manifest")
    payload = joblib.load(old)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BundleError(f"{old.name} does not hold a tagger bundle")
    payload["pipeline"].steps[-1][1].__dict__.pop("feature_names_", None)  # derived on demand since format 2
    kept = {k: v for k, v in manifest.items() if k not in ("format", "format_version", "versions")}  # set anew
    tagger = Tagger(pipeline=payload["pipeline"], labels=list(payload["labels"]),
                    thresholds=dict(payload["thresholds"]), version=str(payload["version"]), manifest=kept)
    before = tagger.tag(_PROBE, explain=True)
    save_bundle(tagger, new)
    after = load_bundle(new).tag(_PROBE, explain=True)
    if before != after or not np.isfinite(list(after["scores"].values())).all():
        raise BundleError("the upgraded bundle does not give the old one's scores")
    return new


_PROBE = {"title": "Việt Nam và Nhật Bản hợp tác bán dẫn",
          "text": "Hai bên ký kết hợp tác về trí tuệ nhân tạo, mạng 5G và an ninh mạng với Samsung."}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m model.upgrade OLD_BUNDLE NEW_BUNDLE", file=sys.stderr)
        return 2
    try:
        path = upgrade_bundle(argv[0], argv[1])
    except BundleError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {path} and its manifest", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
