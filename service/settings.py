"""The service's settings, declared once as (name, default, help).

Everything else derives from `SETTINGS`: the Flask config the factory reads
(`from_environ`), the help of the `tagger serve` options and the table in
docs/service.md (`markdown_table`, checked by tests/api/test_api_settings.py).
Nothing here reads the environment at import time.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from model.bundle import DEFAULT_BUNDLE
from service.lifeline import usable_cores

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
ON, OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class SettingsError(ValueError):
    """An environment variable holds a value its setting cannot use."""


def bundled_model() -> str:
    """model/artifacts/tagger.joblib inside the installed package"""
    return str(DEFAULT_BUNDLE)


def no_alerts_file() -> str:
    """unset: `GET /v1/alerts` answers 404"""
    return ""


def cpu_cores() -> int:
    """one per CPU core"""
    return usable_cores()  # the cores this process may run on (a container's cpuset), not the host's


def positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw.strip().replace("_", ""))
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}") from None
    if value < 1:
        raise SettingsError(f"{name} must be at least 1, not {value}")
    return value


def log_level(name: str, raw: str) -> str:
    value = raw.strip().upper()
    if value not in LOG_LEVELS:
        raise SettingsError(f"{name} must be one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    return value


def switch(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value not in ON + OFF:
        raise SettingsError(f"{name} must be one of {', '.join(ON + OFF)}, not {raw!r}")
    return value in ON


def key_list(name: str, raw: str) -> tuple[str, ...]:
    keys = tuple(k.strip() for k in raw.split(",") if k.strip())
    if not keys:
        raise SettingsError(f"{name} must hold at least one key (comma-separated)")
    return keys


def no_keys() -> tuple[str, ...]:
    """none: `/v1/*` is open, for a trusted network only"""
    return ()


def no_file() -> str:
    """none"""
    return ""


def text(name: str, raw: str) -> str:
    if not raw.strip():
        raise SettingsError(f"{name} must not be empty")
    return raw


class Setting(NamedTuple):
    """One environment variable: its `name`, `default` and `help`.

    `default` is a value or a function computing it (its docstring is what the
    docs show); `key` is the Flask config key; `parse` turns the variable's
    text into the value, raising `SettingsError`.
    """

    name: str
    default: Any
    help: str
    key: str
    parse: Callable[[str, str], Any]

    def default_value(self) -> Any:
        return self.default() if callable(self.default) else self.default

    def default_text(self) -> str:
        if isinstance(self.default, bool):
            return "`1` (on)" if self.default else "`0` (off)"
        if callable(self.default):
            return (self.default.__doc__ or self.default.__name__).strip()
        return f"`{self.default:_}`" if isinstance(self.default, int) and self.default >= 10_000 else f"`{self.default}`"


SETTINGS: tuple[Setting, ...] = (
    Setting("TAGGER_MODEL_PATH", bundled_model, "Model bundle to load; its `.manifest.json` must sit beside it.",
            "MODEL_PATH", text),
    Setting("TAGGER_MAX_BYTES", 1_000_000, "Largest request body in bytes, with or without Content-Length; "
            "larger bodies get 413.", "MAX_CONTENT_LENGTH", positive_int),
    Setting("TAGGER_BATCH_MAX", 64, "Most articles in one `POST /v1/tag/batch`; more get 422.",
            "BATCH_MAX", positive_int),
    Setting("TAGGER_REPORT_MAX", 20_000, "Most tagged records in one `POST /v1/report`; more get 422.",
            "REPORT_MAX", positive_int),
    Setting("PORT", 8000, "TCP port `tagger serve` (and the Docker image) listens on.", "PORT", positive_int),
    Setting("TAGGER_WORKERS", cpu_cores, "Gunicorn worker processes for `tagger serve`.", "WORKERS", positive_int),
    Setting("TAGGER_LOG_LEVEL", "INFO", "Level of the JSON request log and of gunicorn's log "
            f"({', '.join(LOG_LEVELS)}).", "LOG_LEVEL", log_level),
    Setting("TAGGER_METRICS", True, "Serve Prometheus metrics at `GET /metrics` and count requests for them "
            "(`0` turns both off).", "METRICS", switch),
    Setting("TAGGER_API_KEYS", no_keys, "Comma-separated API keys; when set (here or in the file below), every "
            "`/v1/*` call needs `Authorization: Bearer <key>`.", "API_KEYS", key_list),
    Setting("TAGGER_API_KEYS_FILE", no_file, "File of API keys, one a line (blank lines ignored), added to "
            "`TAGGER_API_KEYS`; read at start-up.", "API_KEYS_FILE", text),
    Setting("TAGGER_ALERTS_PATH", no_alerts_file, "Alerts file of `tagger watch` (ARCHIVE.alerts.jsonl) that "
            "`GET /v1/alerts` and the page's alerts panel read.", "ALERTS_PATH", text),
)


def defaults() -> dict[str, Any]:
    """Config mapping of every setting at its default."""
    return {s.key: s.default_value() for s in SETTINGS}


def from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    """Config mapping of the settings given in `environ` (unset ones are left out).

    Raises
    ------
    SettingsError
        If a variable's value is not usable (not a positive number, unknown level...).
    """
    return {s.key: s.parse(s.name, environ[s.name]) for s in SETTINGS if s.name in environ}


def markdown_table() -> str:
    """The settings as the Markdown table in docs/service.md."""
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    rows += [f"| `{s.name}` | {s.default_text()} | {s.help} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"

