"""``scrape db``: the database schema."""

from __future__ import annotations

import click

from scraper.cli.errors import scraper_errors
from scraper.cli.options import db_option
from scraper.storage.database import database_url, upgrade_database


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@db_option
def upgrade(db: str | None) -> None:
    """Bring the database schema to the latest version (opening it also does)."""
    with scraper_errors():
        upgrade_database(database_url(db))
    click.echo("database schema is up to date", err=True)
