"""``scrape get TARGET...`` (or just ``scrape TARGET...``): fetch, clean, store, print."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import click

from cleaners import Article
from scraper.cli.errors import storage
from scraper.cli.options import db_option
from scraper.config import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_PAGE_DEADLINE,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_USER_AGENT,
    FetchSettings,
)
from scraper.fetch.client import make_client
from scraper.pipeline import TargetOutcome, scrape_target

TEXT_SEPARATOR = "---"  # the line between two articles in text output


@click.command("get")
@click.argument("targets", nargs=-1, required=True, metavar="TARGET...")
@db_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: title, blank line, body (articles separated by a '---' line); "
    "json: one object per line and target.",
)
@click.option(
    "--explain",
    is_flag=True,
    help="Also print each removed block and the rule that removed it, and whether the "
    "recall guard fired.",
)
@click.option(
    "--user-agent", default=DEFAULT_USER_AGENT, show_default=True, help="User-Agent header sent."
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_PAGE_DEADLINE,
    show_default=True,
    metavar="SECONDS",
    help="Time allowed for one page: connection, redirects and body.",
)
@click.pass_context
def get(
    ctx: click.Context,
    targets: tuple[str, ...],
    db: str | None,
    output_format: str,
    explain: bool,
    user_agent: str,
    timeout: float,
) -> None:
    """Fetch, clean and store each TARGET, then print it.

    TARGET is an http(s) URL or a saved page (.html, .htm, .html.gz). Each target
    is stored in its own transaction; a failing target is reported on stderr in
    one line and the others are still processed. Exit code 1 if any failed.
    """
    settings = FetchSettings(
        user_agent=user_agent,
        connect_timeout=min(DEFAULT_CONNECT_TIMEOUT, timeout),
        read_timeout=min(DEFAULT_READ_TIMEOUT, timeout),
        deadline=timeout,
    )
    failed = 0
    with storage(db) as store, make_client(settings) as client:
        for index, target in enumerate(targets):
            outcome = scrape_target(target, store, client, settings, explain=explain)
            if output_format == "json":
                click.echo(json.dumps(outcome_record(outcome), ensure_ascii=False))
            elif outcome.article is not None and not outcome.failed:
                echo_text(outcome, separate=index > 0)
            if outcome.error is not None:
                failed += 1
                reason = " ".join(outcome.error.message.split())
                click.echo(f"error: {target}: {outcome.error.kind}: {reason}", err=True)
    if failed:
        ctx.exit(1)


def outcome_record(outcome: TargetOutcome) -> dict[str, Any]:
    """The JSON object printed for one target: Article fields plus how it was stored."""
    article = outcome.article if outcome.article is not None else Article()
    record: dict[str, Any] = {"target": outcome.target, **dataclasses.asdict(article)}
    record["content_hash"] = outcome.save.content_hash
    record["status"] = outcome.save.status
    record["article_id"] = outcome.save.article_id
    if outcome.error is not None:
        record["error"] = {
            "kind": outcome.error.kind,
            "message": outcome.error.message,
            "status": outcome.error.status,
        }
    if outcome.explanation is not None:
        record["removed"] = [dataclasses.asdict(block) for block in outcome.explanation.removed]
        record["notes"] = list(outcome.explanation.notes)
    return record


def echo_text(outcome: TargetOutcome, *, separate: bool) -> None:
    article = outcome.article
    assert article is not None
    if separate:
        click.echo(f"\n{TEXT_SEPARATOR}\n")
    if outcome.explanation is not None:
        for block in outcome.explanation.removed:
            click.echo(f"removed by {block.rule}: {block.selector}: {block.preview}")
        for note in outcome.explanation.notes:
            click.echo(f"note: {note}")
        click.echo("\nkept:\n")
    if article.title:
        click.echo(f"{article.title}\n")
    click.echo(article.text)
