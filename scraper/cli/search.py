"""``scrape search QUERY``: full-text search of the stored articles."""

from __future__ import annotations

import click

from scraper.cli.errors import storage
from scraper.cli.options import db_option
from scraper.outputs.search import search


@click.command("search")
@click.argument("query")
@db_option
@click.option(
    "-n", "--limit", type=click.IntRange(min=1), default=10, show_default=True, help="Hits shown."
)
def search_command(query: str, db: str | None, limit: int) -> None:
    """Full-text search of the stored articles (title and text), best match first.

    Every word of QUERY must occur; case and accents are ignored. Each hit shows
    its title, BM25 score, URL and a snippet with the matches in [brackets].
    SQLite databases only.
    """
    with storage(db) as store:
        try:
            hits = search(store, query, limit)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from exc
    for rank, hit in enumerate(hits, start=1):
        click.echo(f"{rank}. {hit.title or '(untitled)'}  [{hit.score:.2f}]")
        click.echo(f"   {hit.url or f'article {hit.article_id}'}")
        click.echo(f"   {' '.join(hit.snippet.split())}")
    if not hits:
        click.echo("no article matches", err=True)
