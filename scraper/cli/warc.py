"""``scrape warc -o FILE.warc.gz``: the raw archive as a WARC file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from scraper.cli.errors import storage
from scraper.cli.options import db_option, output_file_option, since_option
from scraper.outputs.export import atomic_file
from scraper.outputs.warc import write_warc


@click.command("warc")
@db_option
@since_option("Only pages fetched at or after this date or date-time (UTC if no offset).")
@output_file_option("The WARC file to write (gzip records, e.g. pages.warc.gz), atomically.")
def warc_command(db: str | None, since: datetime | None, output: Path) -> None:
    """Write the archived pages as a WARC file, the format of Common Crawl.

    One response record per archived fetch: final URL, fetch time, status,
    headers and the body as fetched.
    """
    with storage(db) as store, atomic_file(output) as out:
        count = write_warc(store, out, since)
    click.echo(f"{count} pages written to {output}", err=True)
