"""`tagger tag` (to be filled by the batch work)."""
from __future__ import annotations

import click


@click.command()
def tag_command() -> None:
    """Tag a file of articles."""
    raise click.ClickException("not built yet")
