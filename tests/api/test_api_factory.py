"""The application factory: config from a test mapping or from the environment."""
from __future__ import annotations

from pathlib import Path

import pytest

from model.bundle import DEFAULT_BUNDLE
from model.errors import BundleError
from model.tagger import Tagger
from service import create_app
from service.settings import SettingsError

ENV_NAMES = ("TAGGER_MODEL_PATH", "TAGGER_MAX_BYTES", "TAGGER_BATCH_MAX", "PORT", "TAGGER_WORKERS",
             "TAGGER_LOG_LEVEL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_test_config_wins_and_the_environment_is_not_read(tiny_bundle_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TAGGER_BATCH_MAX", "3")
    clean_env.setenv("TAGGER_MODEL_PATH", "/nowhere/bundle.joblib")
    app = create_app({"TESTING": True, "MODEL_PATH": str(tiny_bundle_path)})
    assert app.testing
    assert app.config["BATCH_MAX"] == 64
    assert app.config["MAX_CONTENT_LENGTH"] == 1_000_000
    assert isinstance(app.extensions["tagger"], Tagger)


def test_without_test_config_settings_come_from_the_environment(tiny_bundle_path: Path,
                                                                clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TAGGER_MODEL_PATH", str(tiny_bundle_path))
    clean_env.setenv("TAGGER_BATCH_MAX", "3")
    clean_env.setenv("TAGGER_MAX_BYTES", "5_000")
    clean_env.setenv("TAGGER_LOG_LEVEL", "warning")
    app = create_app()
    assert not app.testing
    assert (app.config["BATCH_MAX"], app.config["MAX_CONTENT_LENGTH"], app.config["LOG_LEVEL"]) == (3, 5_000, "WARNING")
    assert app.test_client().get("/readyz").status_code == 200


def test_without_test_config_or_environment_the_shipped_bundle_is_used(clean_env: pytest.MonkeyPatch,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []

    def fake_load(path: str) -> Tagger:
        seen.append(str(path))
        raise BundleError("stop here")

    monkeypatch.setattr("service.app.load_bundle", fake_load)
    with pytest.raises(BundleError, match="stop here"):
        create_app()
    assert seen == [str(DEFAULT_BUNDLE)]


def test_each_app_has_its_own_tagger(make_app) -> None:
    assert make_app().extensions["tagger"] is not make_app().extensions["tagger"]


def test_a_bad_bundle_stops_the_factory(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no model bundle"):
        create_app({"TESTING": True, "MODEL_PATH": str(tmp_path / "missing.joblib")})


def test_a_bad_environment_value_stops_the_factory(tiny_bundle_path: Path, clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TAGGER_MODEL_PATH", str(tiny_bundle_path))
    clean_env.setenv("TAGGER_BATCH_MAX", "lots")
    with pytest.raises(SettingsError, match="TAGGER_BATCH_MAX must be a whole number"):
        create_app()
