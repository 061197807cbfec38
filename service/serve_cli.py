"""`tagger serve` (to be filled by the service work)."""
from __future__ import annotations

import click


@click.command()
def serve_command() -> None:
    """Serve the REST API."""
    raise click.ClickException("not built yet")
