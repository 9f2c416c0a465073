"""The ``scrape`` command line: thin glue, and the only place that prints and exits.

``scrape TARGET...`` is short for ``scrape get TARGET...``: a first argument that
is not a command name goes to ``get``. A saved page literally named like a
command (``export``, ``db``, ...) is reached as ``./export``.

Exit codes: 0 every target stored or already known, 1 at least one target failed
(or the database could not be used), 2 usage error, 3 ``scrape health``: a host drifted,
69 the database is unreachable (or stayed unavailable past ``--db-outage-limit``), 75
another crawl holds the database.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn

from cleaners import Article
from scraper import __version__
from scraper.config import (
    DB_ENV_VAR,
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_DB_PATH,
    DEFAULT_PAGE_DEADLINE,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_USER_AGENT,
    FetchSettings,
)
from scraper.crawl.frontier import DEFAULT_LEASE_SECONDS
from scraper.crawl.run import (
    DEFAULT_CLEAN_WORKERS,
    DEFAULT_DISCOVER_EVERY,
    CrawlSettings,
    crawl_database,
)
from scraper.crawl.sources import load_sources, parse_networks
from scraper.errors import ConfigError, DatabaseUnavailableError, RunLockedError, ScraperError
from scraper.fetch.client import make_client
from scraper.logs import configure_logging
from scraper.outputs.export import (
    DEDUP_MODES,
    EXACT,
    TEXT_FORMATS,
    WRITERS,
    ExportFilter,
    atomic_file,
    export_articles,
    export_to_path,
)
from scraper.outputs.health import DRIFTING, assess_hosts, health_lines, health_record
from scraper.outputs.health_history import read_histories
from scraper.outputs.report_data import collect_report
from scraper.outputs.search import search
from scraper.outputs.stats import Stats, collect_stats
from scraper.outputs.warc import write_warc
from scraper.pipeline import TargetOutcome, scrape_target
from scraper.reclean.ranges import DEFAULT_RANGE_LEASE_SECONDS, DEFAULT_RANGE_SIZE
from scraper.reclean.read import RecleanSelection
from scraper.reclean.run import DEFAULT_RECLEAN_WORKERS, reclean
from scraper.storage.database import database_url, upgrade_database
from scraper.storage.outage import DEFAULT_OUTAGE_LIMIT
from scraper.storage.store import Store, open_store
from scraper.workers.watched_pool import DEFAULT_PAGE_TIME_LIMIT

DEFAULT_COMMAND = "get"
TEXT_SEPARATOR = "---"  # the line between two articles in text output
EXIT_DRIFT = 3  # scrape health: at least one host drifted
EXIT_DATABASE_UNAVAILABLE = 69  # EX_UNAVAILABLE (sysexits.h)
EXIT_RUN_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the SQLite database

log = logging.getLogger(__name__)

db_option = click.option(
    "--db",
    metavar="URL_OR_PATH",
    help=f"SQLite file or SQLAlchemy URL. Default: ${DB_ENV_VAR}, else ./{DEFAULT_DB_PATH}.",
)
outage_limit_option = click.option(
    "--db-outage-limit",
    "outage_limit",
    type=click.FloatRange(min=0),
    default=DEFAULT_OUTAGE_LIMIT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for an unavailable database before exiting with code 69.",
)


class DatabaseUnavailable(click.ClickException):
    """The database cannot be reached, or stayed unavailable too long: one line, exit 69."""

    exit_code = EXIT_DATABASE_UNAVAILABLE


# A cleaning worker still on one page after this long is killed and replaced; the page fails.
page_time_limit_option = click.option(
    "--page-time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_PAGE_TIME_LIMIT,
    show_default=True,
    metavar="SECONDS",
    help="A cleaning worker still on one page after this long is killed and replaced; "
    "the page fails.",
)


class IsoDateTime(click.ParamType):
    """An ISO 8601 date or date-time; one without an offset is taken as UTC."""

    name = "ISO_DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or date-time", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class DefaultCommandGroup(click.Group):
    """A group that hands a first argument which is not a command name to a default command."""

    def __init__(self, *args: Any, default_command: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_options = {
            name for param in self.get_params(ctx) for name in (*param.opts, *param.secondary_opts)
        }
        # The group's options are flags (--debug, --version, --help): the command comes after.
        first = next((index for index, arg in enumerate(args) if arg not in group_options), None)
        if first is not None and args[first] not in self.commands:
            args = [*args[:first], self.default_command, *args[first:]]
        return super().parse_args(ctx, args)


@click.group(
    cls=DefaultCommandGroup,
    default_command=DEFAULT_COMMAND,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="scrape")
@click.option(
    "--debug",
    is_flag=True,
    help="Log debug messages, the libraries' warnings, and the full traceback of an error "
    "(on stderr).",
)
def main(debug: bool) -> None:
    """Scrape news articles, strip the boilerplate, store each article once.

    \b
    scrape TARGET...   is short for   scrape get TARGET...
    """
    configure_logging(debug)


@main.command(DEFAULT_COMMAND)
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


@main.command()
@db_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(WRITERS)),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON object per line; csv: list fields as JSON arrays; parquet: needs -o.",
)
@click.option(
    "--since",
    type=IsoDateTime(),
    help="Only articles first seen at or after this date or date-time (UTC if no offset).",
)
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


@main.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@db_option
def upgrade(db: str | None) -> None:
    """Bring the database schema to the latest version (opening it also does)."""
    with scraper_errors():
        upgrade_database(database_url(db))
    click.echo("database schema is up to date", err=True)


@main.command()
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
    share the work; see "Scaling out" in the README.
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


@main.command("reclean")
@db_option
@click.option(
    "--since",
    type=IsoDateTime(),
    help="Only articles first seen at or after this date or date-time (UTC if no offset).",
)
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


@main.command("warc")
@db_option
@click.option(
    "--since",
    type=IsoDateTime(),
    help="Only pages fetched at or after this date or date-time (UTC if no offset).",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The WARC file to write (gzip records, e.g. pages.warc.gz), atomically.",
)
def warc_command(db: str | None, since: datetime | None, output: Path) -> None:
    """Write the archived pages as a WARC file, the format of Common Crawl.

    One response record per archived fetch: final URL, fetch time, status,
    headers and the body as fetched.
    """
    with storage(db) as store, atomic_file(output) as out:
        count = write_warc(store, out, since)
    click.echo(f"{count} pages written to {output}", err=True)


@main.command("search")
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


@main.command("stats")
@db_option
@click.option(
    "--since",
    type=IsoDateTime(),
    help="Only articles first seen, and fetches made, at or after this date or date-time.",
)
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


@main.command("health")
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


@main.command("report")
@db_option
@click.option(
    "--since",
    type=IsoDateTime(),
    help="Only articles first seen, and fetches made, at or after this date or date-time.",
)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The HTML file to write (atomically), e.g. report.html.",
)
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


@contextmanager
def scraper_errors() -> Iterator[None]:
    """Turn our own errors (database, configuration) into one-line click errors: exit 1,
    or 69 when the database is unreachable."""
    try:
        yield
    except DatabaseUnavailableError as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Any other error of a command that runs worker processes: one line, exit 1.

    A worker's exception reaches this process with the worker's traceback attached;
    it goes to the log with --debug only, never to the terminal or a cron mail.
    """
    try:
        yield
    except (ScraperError, click.ClickException, click.exceptions.Exit):
        raise  # these have their message and exit code already (scraper_errors for ours)
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise click.ClickException(f"{message} (scrape --debug logs the traceback)") from exc


@contextmanager
def storage(db: str | None) -> Iterator[Store]:
    with scraper_errors(), open_store(db) as store:
        yield store
