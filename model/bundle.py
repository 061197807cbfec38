"""Saving and loading the model bundle: one joblib file and its JSON manifest.

The manifest (``<bundle>.manifest.json``) holds the bundle's sha256 and the
library versions it was built with, so a file is checked *before* it is
unpickled: unpickling runs code, so only a file matching its manifest is loaded.
"""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import platform
from pathlib import Path
from typing import Any

import joblib
import sklearn
import underthesea

from model.errors import BundleError
from model.lexicon import lexicon_drift
from model.tagger import Tagger

FORMAT = "vn-tech-tagger-bundle"
FORMAT_VERSION = 3  # 3: partners and per-kind thresholds (model v2); 2: vocabularies packed as strings
DEFAULT_BUNDLE = Path(__file__).resolve().parent / "artifacts" / "tagger.joblib"
log = logging.getLogger(__name__)


def manifest_path(bundle: str | Path) -> Path:
    """Where the manifest of `bundle` lives."""
    bundle = Path(bundle)
    return bundle.with_name(bundle.name + ".manifest.json")


def runtime_versions() -> dict[str, str]:
    """Versions of Python, scikit-learn and underthesea running now."""
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "underthesea": underthesea.__version__,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_bundle(tagger: Tagger, path: str | Path) -> Path:
    """Write `tagger` to `path` and its manifest beside it; return `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # The tagger's own manifest (training data, metrics) first: a bundle loaded
    # and saved again takes this code's format, its version and these runtimes.
    manifest = {**tagger.manifest, "format": FORMAT, "format_version": FORMAT_VERSION,
                "model_version": tagger.version, "versions": runtime_versions()}
    manifest.pop("bundle_sha256", None)
    manifest.pop("bundle_bytes", None)
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "pipeline": tagger.pipeline,
               "labels": tagger.labels, "thresholds": tagger.thresholds, "short_thresholds": tagger.short_thresholds,
               "version": tagger.version,
               "manifest": manifest}
    joblib.dump(payload, path, compress=("zlib", 3))
    manifest["bundle_sha256"] = _sha256(path)
    manifest["bundle_bytes"] = path.stat().st_size
    manifest_path(path).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tagger.manifest = manifest
    return path


def _read_manifest(path: Path) -> dict[str, Any]:
    mpath = manifest_path(path)
    if not path.is_file():
        raise BundleError(f"no model bundle at {path}")
    if not mpath.is_file():
        raise BundleError(f"{path.name} is not a tagger bundle: its manifest {mpath.name} is missing")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(f"manifest {mpath.name} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleError(f"{path.name} is not a tagger bundle: its manifest has no format {FORMAT!r}")
    return manifest


def load_bundle(path: str | Path = DEFAULT_BUNDLE) -> Tagger:
    """Load the tagger at `path` after checking it against its manifest, warmed
    (`Tagger.warm_up` has run, so its caches are built before any fork).

    Raises
    ------
    BundleError
        If the file or its manifest is missing or malformed, the file's sha256
        or size differs from the manifest's, it was built with another
        scikit-learn version or bundle format, it does not hold a bundle, or
        it fails to tag a warm-up article (built by older code).
    """
    path = Path(path)
    manifest = _read_manifest(path)
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BundleError(f"{path.name} has bundle format {manifest.get('format_version')}, this code reads {FORMAT_VERSION}")
    built = manifest.get("versions", {}).get("scikit-learn")
    if built != sklearn.__version__:
        raise BundleError(
            f"{path.name} was built with scikit-learn {built}, but {sklearn.__version__} is installed; "
            "install the version it was built with or retrain (`tagger train`)"
        )
    if path.stat().st_size != manifest.get("bundle_bytes") or _sha256(path) != manifest.get("bundle_sha256"):
        raise BundleError(f"{path.name} does not match the checksum in its manifest: the file is corrupt or was changed")
    try:
        payload = joblib.load(path)
    except Exception as exc:  # a file that matches its checksum yet fails to unpickle
        raise BundleError(f"{path.name} could not be read as a bundle: {type(exc).__name__}") from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise BundleError(f"{path.name} does not hold a tagger bundle")
    tagger = Tagger(
        pipeline=payload["pipeline"],
        labels=list(payload["labels"]),
        thresholds=dict(payload["thresholds"]),
        version=str(payload["version"]),
        manifest=manifest,
        short_thresholds=payload.get("short_thresholds"),
    )
    try:
        tagger.warm_up()
    except Exception as exc:  # e.g. a bundle pickled from an older version of this code
        raise BundleError(f"{path.name} does not run with this code ({type(exc).__name__}: {exc}); "
                          "retrain it with `tagger train`") from None
    drift = lexicon_drift(manifest)
    if drift:
        log.warning("%s: %s", path.name, drift)
    return tagger


def freeze_loaded_objects() -> bool:
    """Leave what is loaded now (the model) out of every later garbage collection, in
    this process and in the workers it forks; returns False if something already was.

    Call it once the bundle is loaded, just before forking workers (`tagger serve`,
    `tagger tag --jobs N`). A full collection walks every tracked object: with the
    model loaded it took 80-100 ms of CPU in a worker, and it writes to every page
    holding one, which a forked worker must then copy. The garbage is collected first,
    so that none of it is kept for good; `gc.unfreeze()` gives the objects back.
    """
    already = gc.get_freeze_count() > 0
    gc.collect()
    gc.freeze()
    return not already
