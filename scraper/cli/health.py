"""``scrape health``: which hosts drifted from their own history."""

from __future__ import annotations

import json

import click

from scraper.cli.errors import EXIT_DRIFT, storage
from scraper.cli.options import db_option
from scraper.outputs.health import DRIFTING, assess_hosts, health_lines, health_record
from scraper.outputs.health_history import read_histories


@click.command("health")
@db_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: one line per drifted host, then a tally; json: one object.",
)
@click.pass_context
def health_command(ctx: click.Context, db: str | None, output_format: str) -> None:
    """Tell whether a host drifted from its own history: a changed template, a new wall.

    Compares each host's latest fetches with its earlier ones: empty pages, consent
    walls and challenges, failures by kind, learned boilerplate, words per article.
    Prints one line per drifted host (signal, recent vs before, since when). Exit
    codes: 0 every host healthy (or new, or idle), 3 at least one drifted, 1 the
    database could not be read, 69 it is unreachable. For cron: mail the output on 3.
    """
    with storage(db) as store:
        hosts = assess_hosts(read_histories(store))
    if output_format == "json":
        click.echo(json.dumps(health_record(hosts), ensure_ascii=False))
    else:
        click.echo("\n".join(health_lines(hosts)))
    if any(host.status == DRIFTING for host in hosts):
        ctx.exit(EXIT_DRIFT)
