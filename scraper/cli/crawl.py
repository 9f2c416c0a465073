"""``scrape crawl SOURCES_FILE``: crawl the sites of a sources file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from scraper.cli.errors import EXIT_RUN_LOCKED, one_line_errors, scraper_errors
from scraper.cli.options import db_option, outage_limit_option, page_time_limit_option
from scraper.crawl.frontier import DEFAULT_LEASE_SECONDS
from scraper.crawl.run import crawl_database
from scraper.crawl.settings import DEFAULT_CLEAN_WORKERS, DEFAULT_DISCOVER_EVERY, CrawlSettings
from scraper.crawl.sources import load_sources, parse_networks
from scraper.errors import ConfigError, RunLockedError


@click.command()
@click.argument("sources_file", type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after fetching N pages.")
@click.option(
    "--max-duration",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop claiming new URLs after this long; what is in flight is finished.",
)
@click.option(
    "--concurrency", type=click.IntRange(min=1), help="Hosts fetched at once (default: file, 16)."
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr. Default: on when stderr is a terminal.",
)
@click.option(
    "--allow-private",
    multiple=True,
    metavar="CIDR",
    help="Let discovered URLs reach this non-public range (repeatable), e.g. 127.0.0.0/8.",
)
@click.option(
    "--clean-workers",
    type=click.IntRange(min=1),
    default=DEFAULT_CLEAN_WORKERS,
    show_default=True,
    help="Processes that clean pages; several workers on one machine share its cores.",
)
@click.option(
    "--forever",
    is_flag=True,
    help="Long-lived worker: wait for due URLs instead of ending; stop on SIGTERM.",
)
@click.option(
    "--discover-every",
    type=click.FloatRange(min=0),
    default=DEFAULT_DISCOVER_EVERY,
    show_default=True,
    metavar="SECONDS",
    help="With --forever: how often each source's feeds, sitemaps and start pages are read.",
)
@click.option(
    "--lease",
    type=click.FloatRange(min=1),
    default=DEFAULT_LEASE_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="How long claimed URLs stay reserved if their worker dies (renewed while it lives).",
)
@outage_limit_option
@page_time_limit_option
@click.pass_context
def crawl(
    ctx: click.Context,
    sources_file: Path,
    db: str | None,
    max_pages: int | None,
    max_duration: float | None,
    concurrency: int | None,
    progress: bool | None,
    allow_private: tuple[str, ...],
    clean_workers: int,
    forever: bool,
    discover_every: float,
    lease: float,
    outage_limit: float,
    page_time_limit: float,
) -> None:
    """Crawl the sites of a sources file (TOML): feeds, sitemaps, start pages.

    Fetches only what is new, politely (robots.txt, per-host delay), and can be
    killed at any moment: the next run carries on. Meant for cron. Prints one
    summary line. Exit codes: 0 ok, 1 some pages failed, 2 bad sources file or
    option, 69 database unreachable (a --forever worker: for longer than
    --db-outage-limit), 75 another crawl is running on the same SQLite database.

    On PostgreSQL any number of runs and --forever workers, on any machines,
    share the work; see docs/scaling.md.
    """
    try:
        config = load_sources(sources_file)
        networks = parse_networks(allow_private, "--allow-private")
    except ConfigError as exc:
        click.echo(f"scrape crawl: {exc}", err=True)
        ctx.exit(2)
    settings = CrawlSettings(
        max_pages=max_pages,
        max_duration=max_duration,
        concurrency=concurrency,
        allow_private=config.allow_private + networks,
        sources_file=str(sources_file),
        clean_workers=clean_workers,
        forever=forever,
        discover_every=discover_every if forever else 0.0,
        lease_seconds=lease,
        outage_limit=outage_limit,
        page_time_limit=page_time_limit,
    )
    show_bar = sys.stderr.isatty() if progress is None else progress
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), console=console, disable=not show_bar
    ) as bar:
        task = bar.add_task("crawling")
        with scraper_errors(), one_line_errors():
            try:
                report = crawl_database(
                    config,
                    db,
                    settings,
                    on_progress=lambda r: bar.update(task, description=r.summary()),
                )
            except RunLockedError as exc:
                click.echo(f"scrape crawl: {exc}", err=True)
                ctx.exit(EXIT_RUN_LOCKED)
    click.echo(f"crawl: {report.summary()}")
    ctx.exit(report.exit_code)
