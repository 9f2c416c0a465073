"""``scrape reclean``: clean the archived pages again with the current cleaner."""

from __future__ import annotations

from datetime import datetime

import click

from scraper.cli.errors import one_line_errors, storage
from scraper.cli.options import db_option, outage_limit_option, page_time_limit_option, since_option
from scraper.reclean.ranges import DEFAULT_RANGE_LEASE_SECONDS, DEFAULT_RANGE_SIZE
from scraper.reclean.read import RecleanSelection
from scraper.reclean.run import DEFAULT_RECLEAN_WORKERS, reclean


@click.command("reclean")
@db_option
@since_option("Only articles first seen at or after this date or date-time (UTC if no offset).")
@click.option("--site", metavar="HOST", help="Only articles of this host and its subdomains.")
@click.option(
    "--stale-only", is_flag=True, help="Only articles made by another version of the cleaner."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=DEFAULT_RECLEAN_WORKERS,
    show_default=True,
    help="Cleaning processes (one per core).",
)
@click.option(
    "--range-size",
    type=click.IntRange(min=1),
    default=DEFAULT_RANGE_SIZE,
    show_default=True,
    help="PostgreSQL: article ids claimed at a time when several machines share the run.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_RANGE_LEASE_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="PostgreSQL: a range not written to for this long is taken over by another run.",
)
@outage_limit_option
@page_time_limit_option
def reclean_command(
    db: str | None,
    since: datetime | None,
    site: str | None,
    stale_only: bool,
    workers: int,
    range_size: int,
    lease: float,
    outage_limit: float,
    page_time_limit: float,
) -> None:
    """Clean the archived pages of stored articles again with the current cleaner.

    Nothing is fetched. Articles whose text changed get the new text, hash and
    near-duplicate links; two that now read the same become one. Every article
    records the cleaner version that made it. Prints one summary line with pages/s.
    On PostgreSQL the same command on several machines shares the work, and
    waits out a database outage of up to --db-outage-limit seconds mid-run.
    Exit code 69: the database is unreachable (or stayed so past the limit).
    """
    selection = RecleanSelection(since=since, site=site, stale_only=stale_only)
    with storage(db) as store, one_line_errors():
        report = reclean(
            store,
            selection,
            workers=workers,
            range_size=range_size,
            lease_seconds=lease,
            outage_limit=outage_limit,
            page_time_limit=page_time_limit,
        )
    click.echo(f"reclean: {report.summary()}")
