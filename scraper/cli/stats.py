"""``scrape stats``: articles per site, day and language; fetch failures per host."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from typing import Any

import click

from scraper.cli.errors import storage
from scraper.cli.options import db_option, since_option
from scraper.outputs.stats import Stats, collect_stats


@click.command("stats")
@db_option
@since_option("Only articles first seen, and fetches made, at or after this date or date-time.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: tables; json: one object.",
)
def stats_command(db: str | None, since: datetime | None, output_format: str) -> None:
    """Articles per site, day and language; per host, failed fetches by kind and empty pages.

    The share of empty extractions per host (pages fetched fine where the
    cleaner found no text) is the sign that a site changed its template.
    """
    with storage(db) as store:
        stats = collect_stats(store, since)
    if output_format == "json":
        click.echo(json.dumps(stats_record(stats), ensure_ascii=False))
        return
    click.echo(f"articles: {stats.articles}")
    for title, counts in (
        ("per site", stats.by_site),
        ("per day (first seen, UTC)", stats.by_day),
        ("per language", stats.by_language),
    ):
        click.echo(f"\n{title}:")
        for key, count in counts:
            click.echo(f"  {key:<40} {count:>8}")
    click.echo("\nfetches per host:      fetches  failed  empty share  failures by kind")
    for host in stats.hosts:
        kinds = ", ".join(f"{kind} {count}" for kind, count in host.failed_by_kind)
        click.echo(
            f"  {host.host:<20} {host.fetches:>7} {host.failure_rate:>7.1%} "
            f"{host.empty_share:>12.1%}  {kinds}"
        )


def stats_record(stats: Stats) -> dict[str, Any]:
    """``Stats`` as plain JSON values, rates included."""
    return {
        "articles": stats.articles,
        "by_site": dict(stats.by_site),
        "by_day": dict(stats.by_day),
        "by_language": dict(stats.by_language),
        "hosts": [
            {
                **dataclasses.asdict(host),
                "failed_by_kind": dict(host.failed_by_kind),
                "failure_rate": host.failure_rate,
                "empty_share": host.empty_share,
            }
            for host in stats.hosts
        ],
    }
