"""The `tagger` command: serve, tag, train, evaluate.

Each subcommand lives beside the code it drives; this module only assembles
them, so `tagger --help` lists everything in one place.
"""
from __future__ import annotations

import click

from service.batch_cli import tag_command
from service.report.cli import report_command
from service.serve_cli import serve_command
from service.watch.cli import watch_command
from training.cli import evaluate_command, train_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vn-tech-tagger")
def main() -> None:
    """Tag Vietnamese technology news with countries, topics, cooperation and partners."""


main.add_command(serve_command, "serve")
main.add_command(tag_command, "tag")
main.add_command(report_command, "report")
main.add_command(train_command, "train")
main.add_command(evaluate_command, "evaluate")
main.add_command(watch_command, "watch")
