"""Settings: parsed from the environment, and every one documented."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import main
from service.settings import SETTINGS, SettingsError, defaults, from_environ, markdown_table

DOCS = Path(__file__).resolve().parents[2] / "docs" / "service.md"


def test_docs_hold_the_generated_settings_table() -> None:
    text = DOCS.read_text(encoding="utf-8")
    assert markdown_table() in text, (
        "regenerate it: python -c 'from service.settings import markdown_table; print(markdown_table())'")
    for setting in SETTINGS:
        assert f"`{setting.name}`" in text


def test_every_setting_has_help_a_default_and_a_unique_name() -> None:
    assert len({s.name for s in SETTINGS}) == len({s.key for s in SETTINGS}) == len(SETTINGS)
    for setting in SETTINGS:
        assert setting.help.strip() and setting.default_text().strip()
        assert setting.default_value() is not None


def test_defaults() -> None:
    config = defaults()
    assert (config["MAX_CONTENT_LENGTH"], config["BATCH_MAX"], config["PORT"]) == (1_000_000, 64, 8000)
    assert config["WORKERS"] >= 1
    assert config["MODEL_PATH"].endswith("tagger.joblib")


def test_serve_help_names_each_serve_setting(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    for name in ("PORT", "TAGGER_WORKERS", "TAGGER_MODEL_PATH"):
        assert name in result.output


def test_values_are_parsed() -> None:
    env = {"TAGGER_MAX_BYTES": "2_000", "TAGGER_BATCH_MAX": " 8 ", "TAGGER_LOG_LEVEL": "debug", "PORT": "9000",
           "UNRELATED": "x"}
    assert from_environ(env) == {"MAX_CONTENT_LENGTH": 2000, "BATCH_MAX": 8, "LOG_LEVEL": "DEBUG", "PORT": 9000}


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TAGGER_MAX_BYTES", "1MB", "whole number"),
        ("TAGGER_BATCH_MAX", "0", "at least 1"),
        ("TAGGER_WORKERS", "-2", "at least 1"),
        ("PORT", "", "whole number"),
        ("TAGGER_LOG_LEVEL", "loud", "one of DEBUG"),
        ("TAGGER_MODEL_PATH", "  ", "must not be empty"),
    ],
)
def test_bad_values_are_refused_with_the_variable_name(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=name) as info:
        from_environ({name: value})
    assert message in str(info.value)
