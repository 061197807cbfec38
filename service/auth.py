"""API keys: with keys configured, every `/v1/*` call needs `Authorization: Bearer <key>`.

Keys come from the ``API_KEYS`` setting and the file named by ``API_KEYS_FILE``
(one key a line). A missing or wrong key gets a 401 problem with
``WWW-Authenticate: Bearer``. The given key is compared with every configured
key in constant time, and is never logged or echoed. Without keys the API is
open, as it is meant only for a trusted network. /healthz, /readyz, /metrics,
/openapi.json and the page stay open either way.
"""
from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from flask import Flask, Response, current_app, request

from service.errors import problem_response
from service.settings import SettingsError

PROTECTED_PREFIX = "/v1/"
SCHEME = "Bearer"


def read_keys_file(path: str) -> tuple[str, ...]:
    """The keys in `path`, one a line, blank lines ignored.

    Raises
    ------
    SettingsError
        If the file cannot be read or holds no key (never with a key in the message).
    """
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"TAGGER_API_KEYS_FILE {path}: cannot read it ({type(exc).__name__})") from None
    keys = tuple(line.strip() for line in lines if line.strip())
    if not keys:
        raise SettingsError(f"TAGGER_API_KEYS_FILE {path} holds no key")
    return keys


def configured_keys(config: dict[str, Any]) -> tuple[bytes, ...]:
    """The keys of `config` (``API_KEYS`` and the ``API_KEYS_FILE`` lines) as UTF-8 bytes.

    Raises
    ------
    SettingsError
        If the keys file cannot be read or is empty.
    """
    keys = tuple(config.get("API_KEYS") or ())
    if config.get("API_KEYS_FILE"):
        keys += read_keys_file(config["API_KEYS_FILE"])
    return tuple(dict.fromkeys(k.encode("utf-8") for k in keys))


def key_matches(given: bytes, keys: tuple[bytes, ...]) -> bool:
    """True if `given` is one of `keys`; every key is compared, each in constant time."""
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(given, key)
    return matched


def _unauthorized(detail: str, error: str | None) -> Response:
    response = problem_response(401, detail)
    challenge = f'{SCHEME} realm="tagger"'
    response.headers["WWW-Authenticate"] = challenge + (f', error="{error}"' if error else "")
    return response


def _check() -> Response | None:
    if not request.path.startswith(PROTECTED_PREFIX) or request.method == "OPTIONS":
        return None
    keys: tuple[bytes, ...] = current_app.extensions["api_keys"]
    scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != SCHEME.lower() or not given.strip():
        return _unauthorized("this service needs an API key: send the header 'Authorization: Bearer <key>'", None)
    if not key_matches(given.strip().encode("utf-8", "surrogateescape"), keys):
        return _unauthorized("the API key is not valid", "invalid_token")
    return None


def init_app(app: Flask) -> None:
    """Require a key on `/v1/*` when `app` has keys configured; leave it open otherwise.

    Raises
    ------
    SettingsError
        If the keys file cannot be read or is empty.
    """
    keys = configured_keys(app.config)
    app.extensions["api_keys"] = keys
    if keys:
        app.before_request(_check)
