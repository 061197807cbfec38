"""`tagger serve`: the app factory under gunicorn, the model loaded once before forking.

The app is built (bundle loaded and warmed) in the gunicorn master, which is
what ``--preload`` means: workers are forked from it and share the model, and a
bad bundle stops the command with its message before any port is opened.
Numeric thread pools are limited to one thread first (see `serve_command`).
With metrics on, a fresh PROMETHEUS_MULTIPROC_DIR is made before the app is
built and removed when gunicorn stops (`service.metrics.multiprocess_dir`).
"""
from __future__ import annotations

import os
from functools import partial
from contextlib import nullcontext
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication
from threadpoolctl import threadpool_limits

from model.bundle import freeze_loaded_objects
from model.errors import BundleError
from service.app import create_app
from service.lifeline import Parent, die_with_parent
from service.metrics import mark_worker_dead, multiprocess_dir
from service.settings import SETTINGS, SettingsError, defaults, from_environ

_BY_KEY = {s.key: s for s in SETTINGS}


def _help(key: str) -> str:
    setting = _BY_KEY[key]
    return f"{setting.help} [env {setting.name}; default: {setting.default_text().strip('`')}]"


class GunicornServer(BaseApplication):
    """Gunicorn serving an app that is already built (the preloaded app)."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return self.application


def end_with_master(master_thread: int, server: Any, worker: Any) -> None:
    """Gunicorn's post_fork hook (run in the new worker): the worker ends when the
    master that forked it from `master_thread` ends, even by SIGKILL (`service.lifeline`).

    Gunicorn's own check (a changed parent pid) runs only when a worker finds
    no connection waiting, after up to half the worker timeout (15 s) idle;
    until then the orphan serves requests with no master to time it out.
    """
    die_with_parent(Parent(worker.ppid, master_thread))


def gunicorn_options(host: str, config: dict[str, Any]) -> dict[str, Any]:
    """Gunicorn settings for `config`: its port and workers, preloaded, JSON request logs instead of access
    logs, workers that end with the master (call it in the master), and with metrics on, the files of an
    exited worker's live gauges removed."""
    hooks = {"child_exit": mark_worker_dead} if config["METRICS"] else {}
    return {
        **hooks,
        "bind": f"{host}:{config['PORT']}",
        "workers": config["WORKERS"],
        "preload_app": True,
        "loglevel": config["LOG_LEVEL"].lower(),
        "accesslog": None,
        "errorlog": "-",
        "control_socket_disable": True,  # no runtime control needed, and no socket file in $HOME
        "post_fork": partial(end_with_master, Parent.this_process().main_thread),
    }


def run_gunicorn(app: Flask, options: dict[str, Any]) -> None:
    """Serve `app` until gunicorn is stopped (SIGTERM/SIGINT)."""
    GunicornServer(app, options).run()


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), help=_help("PORT"))
@click.option("--workers", type=click.IntRange(min=1), help=_help("WORKERS"))
@click.option("--model", "model_path", type=click.Path(dir_okay=False), help=_help("MODEL_PATH"))
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; 0.0.0.0 to accept other machines (as in the Docker image).")
def serve_command(port: int | None, workers: int | None, model_path: str | None, host: str) -> None:
    """Serve the REST API with gunicorn: one worker per core, model loaded once.

    Options win over environment variables, which win over the defaults.
    """
    try:
        config = {**defaults(), **from_environ(os.environ)}
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    chosen = {"PORT": port, "WORKERS": workers, "MODEL_PATH": model_path}
    config.update({k: v for k, v in chosen.items() if v is not None})
    # One single-threaded worker per core. The OpenMP pool of the gradient-boosting
    # model is not fork-safe: if the master's warm-up started it, forked workers hang.
    threadpool_limits(1)
    with multiprocess_dir() if config["METRICS"] else nullcontext():
        try:
            app = create_app(config)
        except BundleError as exc:
            raise click.ClickException(f"cannot load the model: {exc}") from None
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from None
        options = gunicorn_options(host, config)
        click.echo(f"tagger: model {app.extensions['tagger'].version} loaded and warmed; serving on "
                   f"http://{options['bind']} with {options['workers']} worker(s)", err=True)
        freeze_loaded_objects()
        run_gunicorn(app, options)
