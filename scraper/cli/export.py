"""``scrape export``: the stored articles as JSON lines, CSV or Parquet."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from scraper.cli.errors import storage
from scraper.cli.options import db_option, since_option
from scraper.outputs.export import (
    DEDUP_MODES,
    EXACT,
    TEXT_FORMATS,
    WRITERS,
    ExportFilter,
    export_articles,
    export_to_path,
)


@click.command()
@db_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(WRITERS)),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per line; csv: list fields as JSON arrays; parquet: needs -o.",
)
@since_option("Only articles first seen at or after this date or date-time (UTC if no offset).")
@click.option("--language", metavar="CODE", help="Only articles in this language (ISO 639-1).")
@click.option("--site", metavar="HOST", help="Only articles of this host and its subdomains.")
@click.option(
    "--min-words", type=click.IntRange(min=0), default=0, help="Only articles this long or longer."
)
@click.option(
    "--dedup",
    type=click.Choice(DEDUP_MODES),
    default=EXACT,
    show_default=True,
    help="exact: every distinct text; near: also leave out near-copies of earlier articles.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
)
def export(
    db: str | None,
    output_format: str,
    since: datetime | None,
    language: str | None,
    site: str | None,
    min_words: int,
    dedup: str,
    output: Path | None,
) -> None:
    """Write the stored articles, with all their URLs, as JSON lines, CSV or Parquet.

    Fields and types are described by schema/article.schema.json; every record
    carries its schema_version.
    """
    filters = ExportFilter(since, language, site, min_words, dedup)
    if output is None and output_format not in TEXT_FORMATS:
        raise click.UsageError(f"--format {output_format} needs -o FILE")
    with storage(db) as store:
        if output is None:
            export_articles(store, sys.stdout.buffer, output_format, filters)
        else:
            try:
                count = export_to_path(store, output, output_format, filters=filters)
            except OSError as exc:  # disk full, file too large, no permission
                raise click.ClickException(f"cannot write {output}: {exc}") from exc
            click.echo(f"{count} articles written to {output}", err=True)
