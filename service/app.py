"""The application factory: every way of running the service builds the app here."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from model.bundle import load_bundle
from service import alerts_api, api, auth, errors, logs, metrics, openapi, settings, web
from service.report import api as report_api


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, the loaded and warmed tagger, routes, error shape, logs.

    Without `test_config` the settings come from the environment (see
    `service.settings`); with it, from the defaults overridden by `test_config`,
    so tests do not depend on the environment they run in.

    Raises
    ------
    model.errors.BundleError
        If the bundle at ``MODEL_PATH`` cannot be trusted or loaded.
    service.settings.SettingsError
        If an environment variable holds an unusable value, or the API keys file
        cannot be read or is empty.
    """
    app = Flask(__name__, static_folder=None)
    app.config.from_mapping(settings.defaults())
    app.config.from_mapping(settings.from_environ(os.environ) if test_config is None else test_config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]  # Vietnamese evidence stays readable
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the model's label order

    tagger = load_bundle(app.config["MODEL_PATH"])  # comes back warmed
    app.extensions["tagger"] = tagger  # present only once loaded and warmed: /readyz checks it

    errors.init_app(app)
    logs.init_app(app)  # first: the request id, for every later hook's logs and problems
    metrics.init_app(app)  # before auth, so that a 401 is counted and timed
    auth.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    app.register_blueprint(web.bp)  # the analysts' page at /
    app.register_blueprint(alerts_api.bp)  # GET /v1/alerts, from `tagger watch`'s alerts file
    app.register_blueprint(report_api.bp)  # POST /v1/report, the page's Trends tab
    return app
