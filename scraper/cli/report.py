"""``scrape report -o FILE.html``: the crawl's health as one HTML file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from scraper.cli.errors import storage
from scraper.cli.options import db_option, output_file_option, since_option
from scraper.outputs.export import atomic_file
from scraper.outputs.report_data import collect_report


@click.command("report")
@db_option
@since_option("Only articles first seen, and fetches made, at or after this date or date-time.")
@output_file_option("The HTML file to write (atomically), e.g. report.html.")
def report_command(db: str | None, since: datetime | None, output: Path) -> None:
    """Write the crawl's health as one self-contained HTML file with charts.

    Articles per day by site; per host: fetches, failures by kind, empty share,
    median words, learned boilerplate, last success, drift, and a small chart;
    languages; near-duplicate clusters. Opens offline in any browser.
    """
    # Imported here: pygal adds an import hook to every process that imports it
    # (for its map plugins), and only this command draws charts.
    from scraper.outputs.report import render_report

    with storage(db) as store:
        data = collect_report(store, since)
    try:
        with atomic_file(output) as out:
            out.write(render_report(data).encode("utf-8"))
    except OSError as exc:  # disk full, no permission
        raise click.ClickException(f"cannot write {output}: {exc}") from exc
    click.echo(f"report on {len(data.hosts)} hosts written to {output}", err=True)
