"""``scrape crawl``: discover, fetch, clean and store the pages of a sources file.

Shape of a run::

    scheduler ── one task per host with due URLs (at most ``concurrency``)
                   claim a few URLs (lease) → robots.txt → wait the host's turn → fetch
                   → analyse in the process pool (clean, links, feed/sitemap entries)
                   → hand the result to the writer
    writer    ── batches results: saves articles, records outcomes, adds new URLs

Fetching is concurrent across hosts and serial within one host. Cleaning runs
in worker processes so both cores work while the event loop keeps fetching.
Database calls run on one thread so they never block the event loop. Memory
holds only the in-flight window (one page per active host and the writer's
batch); the frontier itself is in the database.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import httpx
from sqlalchemy import insert, make_url, update

import cleaners
from cleaners import Article
from scraper.archive import RawPage
from scraper.config import FetchSettings
from scraper.discover import (
    Document,
    Validators,
    feed_links,
    fetch_document,
    page_links,
    parse_sitemap,
)
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch import DEFAULT_SETTINGS, fetch_page_async
from scraper.frontier import Claim, Discovered, Frontier, Kind, Outcome, State
from scraper.models import CrawlRunRow
from scraper.netguard import AddressPolicy, AsyncGuardedTransport
from scraper.pipeline import failed_attempt, page_attempt
from scraper.politeness import (
    MAX_ATTEMPTS,
    ROBOTS_UNAVAILABLE_SECONDS,
    HostPacer,
    RobotsRules,
    backoff_delay,
    is_retryable,
    parse_retry_after,
    robots_rules,
)
from scraper.records import FetchAttempt, FetchResult
from scraper.runlock import run_lock
from scraper.sources import CrawlConfig, IPNetwork, Source
from scraper.storage import NEW, Store, database_url, open_store
from scraper.urls import host_of, is_http_url

T = TypeVar("T")

DEFAULT_CLEAN_WORKERS = 2
CLAIM_BATCH = 8  # URLs one host task leases at a time
WRITE_BATCH = 64  # results the writer commits together at most
WRITE_LINGER = 0.05  # seconds the writer waits to fill a batch
IDLE_POLL = 0.2  # seconds between looks at the frontier when no host is busy
# Errors that say a host must not be fetched at all, unlike an unreachable robots.txt.
_REFUSED_KINDS = frozenset(
    {FetchErrorKind.BLOCKED_ADDRESS, FetchErrorKind.BAD_SCHEME, FetchErrorKind.INVALID_URL}
)
CLEANER_ERROR = "cleaner_error"  # error kind of a page on which the cleaner raised


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """Options of one run; the command line overrides the sources file here."""

    max_pages: int | None = None
    max_duration: float | None = None
    concurrency: int | None = None  # None: the sources file's
    allow_private: tuple[IPNetwork, ...] = ()
    clean_workers: int = DEFAULT_CLEAN_WORKERS
    fetch: FetchSettings = DEFAULT_SETTINGS
    sources_file: str | None = None


@dataclass(frozen=True, slots=True)
class CrawlReport:
    """The counts of a run: printed as the summary line and stored in ``crawl_runs``."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    unchanged: int = 0
    failed: int = 0
    failed_by_kind: tuple[tuple[str, int], ...] = ()
    elapsed: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in self.failed_by_kind)
        failed = f"{self.failed} ({kinds})" if kinds else str(self.failed)
        return (
            f"discovered {self.discovered}, fetched {self.fetched}, new {self.new}, "
            f"duplicate {self.duplicate}, unchanged {self.unchanged}, failed {failed}, "
            f"elapsed {self.elapsed:.1f} s"
        )


@dataclass(slots=True)
class _Tally:
    """The run's counters while it goes; frozen into a ``CrawlReport``."""

    started: float
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    unchanged: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def report(self, now: float) -> CrawlReport:
        return CrawlReport(
            discovered=self.discovered,
            fetched=self.fetched,
            new=self.new,
            duplicate=self.duplicate,
            unchanged=self.unchanged,
            failed=sum(self.failed.values()),
            failed_by_kind=tuple(sorted(self.failed.items())),
            elapsed=now - self.started,
        )


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What a worker process made of one fetched body."""

    article: Article | None = None
    links: tuple[str, ...] = ()
    sitemaps: tuple[tuple[str, datetime | None], ...] = ()  # children of a sitemap index
    entries: tuple[tuple[str, datetime | None], ...] = ()  # pages of a feed or urlset


def analyse(
    kind: str, body: bytes, url: str, headers: dict[str, str], want_links: bool, max_bytes: int
) -> PageAnalysis:
    """Runs in a worker process: clean an article, or read links/entries from the body."""
    if kind == Kind.FEED:
        return PageAnalysis(entries=tuple((link, None) for link in feed_links(body, url)))
    if kind == Kind.SITEMAP:
        sitemap = parse_sitemap(body, url, max_bytes=max_bytes)
        pairs = tuple((entry.url, entry.lastmod) for entry in sitemap.entries)
        return PageAnalysis(sitemaps=pairs) if sitemap.is_index else PageAnalysis(entries=pairs)
    article = cleaners.extract(body, url, headers=headers) if kind == Kind.ARTICLE else None
    links = page_links(body, url).links if want_links else ()
    return PageAnalysis(article=article, links=links)


@dataclass(frozen=True, slots=True)
class _Result:
    """One claimed URL, processed: what the writer must record."""

    claim: Claim
    outcome: Outcome
    attempt: FetchAttempt | None = None  # a page fetch to log (articles and failures)
    article: Article | None = None
    urls: tuple[str, ...] = ()
    found: tuple[Discovered, ...] = ()
    seeds: tuple[Discovered, ...] = ()  # sitemaps to re-read every run
    raw: RawPage | None = None  # the page as fetched, for the raw archive


def crawl_database(
    config: CrawlConfig,
    db: str | None,
    settings: CrawlSettings = CrawlSettings(),
    *,
    on_progress: Callable[[CrawlReport], None] | None = None,
) -> CrawlReport:
    """Take the run lock of ``db``, open it and crawl; ``RunLockedError`` if a run holds it."""
    url = make_url(database_url(db))
    # SQLite: an flock next to the file. Other databases will take an advisory
    # lock in the database itself; until then they run unlocked.
    lock = (
        run_lock(url.database)
        if url.get_backend_name() == "sqlite" and url.database
        else nullcontext()
    )
    with lock, open_store(db) as store:
        return run_crawl(config, store, settings, on_progress=on_progress)


def run_crawl(
    config: CrawlConfig,
    store: Store,
    settings: CrawlSettings = CrawlSettings(),
    *,
    on_progress: Callable[[CrawlReport], None] | None = None,
) -> CrawlReport:
    """Crawl every source of ``config`` into ``store`` until nothing is due or a limit hits.

    The caller holds the run lock (``crawl_database`` takes it).
    """
    return asyncio.run(_Crawl(config, store, settings, on_progress).run())


class _Crawl:
    def __init__(
        self,
        config: CrawlConfig,
        store: Store,
        settings: CrawlSettings,
        on_progress: Callable[[CrawlReport], None] | None,
    ) -> None:
        self._config = config
        self._store = store
        self._settings = settings
        self._fetch_settings = replace(settings.fetch, user_agent=config.user_agent)
        self._frontier = Frontier(store)
        self._sources = {source.name: source for source in config.sources}
        self._on_progress = on_progress
        self._concurrency = settings.concurrency or config.concurrency
        self._max_pages = settings.max_pages or config.max_pages
        self._pacer = HostPacer(default_delay=config.delay)
        for source in config.sources:
            for host in source.hosts:
                self._pacer.set_delay(host, config.delay_for(source))
        self._robots: dict[str, RobotsRules] = {}
        self._tally = _Tally(started=time.monotonic())
        self._results: asyncio.Queue[_Result | None] = asyncio.Queue(maxsize=4 * WRITE_BATCH)
        self._unwritten = 0  # results handed to the writer and not yet committed
        self._stopping = False
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl-db")
        self._pool: Executor | None = None

    # -- the run --------------------------------------------------------------

    async def run(self) -> CrawlReport:
        run_id = await self._in_db(self._start_run)
        writer = asyncio.create_task(self._writer())
        context = multiprocessing.get_context("forkserver")
        try:
            with ProcessPoolExecutor(self._settings.clean_workers, mp_context=context) as pool:
                self._pool = pool
                async with self._client() as client:
                    await self._schedule(client)
            await self._results.put(None)
            await writer
        finally:
            if not writer.done():
                writer.cancel()
            report = self._tally.report(time.monotonic())
            await self._in_db(self._finish_run, run_id, report)
            self._db.shutdown()
        return report

    def _client(self) -> httpx.AsyncClient:
        # The address guard refuses non-public addresses outside --allow-private,
        # on every hop; the response hook sees every answer, redirects included.
        transport = AsyncGuardedTransport(AddressPolicy(self._settings.allow_private))
        return httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": self._config.user_agent},
            event_hooks={"response": [self._honour_retry_after]},
        )

    async def _honour_retry_after(self, response: httpx.Response) -> None:
        if response.status_code in (429, 503):
            seconds = parse_retry_after(response.headers.get("retry-after"))
            if seconds is not None:
                self._pacer.defer(host_of(str(response.url)), seconds)

    async def _schedule(self, client: httpx.AsyncClient) -> None:
        await self._in_db(self._frontier.release_leases, all_held=True)
        await self._in_db(self._frontier.add_seeds, self._seeds())
        active: dict[str, asyncio.Task[None]] = {}
        deadline = self._settings.max_duration
        while True:
            if deadline is not None and time.monotonic() - self._tally.started >= deadline:
                self._stopping = True
            free = self._concurrency - len(active)
            hosts: list[str] = []
            if free > 0 and not self._stopping:
                busy = set(active) | self._pacer.paused_hosts()
                hosts = await self._in_db(self._frontier.due_hosts, busy, free)
                for host in hosts:
                    active[host] = asyncio.create_task(self._work_host(client, host))
            if not active and not hosts and (self._unwritten == 0 or self._stopping):
                return
            if not active:
                await asyncio.sleep(IDLE_POLL)  # results still being written may add URLs
                continue
            done, _ = await asyncio.wait(
                active.values(), timeout=IDLE_POLL, return_when=asyncio.FIRST_COMPLETED
            )
            for host, task in list(active.items()):
                if task in done:
                    del active[host]
                    task.result()  # a bug in a host task must not pass silently

    def _seeds(self) -> list[Discovered]:
        seeds = []
        for source in self._config.sources:
            for urls, kind in (
                (source.start, Kind.LISTING),
                (source.feeds, Kind.FEED),
                (source.sitemaps, Kind.SITEMAP),
            ):
                seeds += [Discovered(url, host_of(url), source.name, kind) for url in urls]
        return seeds

    async def _work_host(self, client: httpx.AsyncClient, host: str) -> None:
        while not self._stopping and not self._pacer.is_paused(host):
            claims = await self._in_db(self._frontier.claim, host, CLAIM_BATCH)
            if not claims:
                return
            for index, claim in enumerate(claims):
                if self._stopping or self._pacer.is_paused(host) or self._page_budget_spent():
                    self._stopping = self._stopping or self._page_budget_spent()
                    await self._release(claims[index:])
                    return
                await self._emit(await self._process(client, claim))

    def _page_budget_spent(self) -> bool:
        return self._max_pages is not None and self._tally.fetched >= self._max_pages

    async def _release(self, claims: Iterable[Claim]) -> None:
        now = datetime.now(UTC)
        for claim in claims:
            outcome = Outcome(claim.id, State.PENDING, retry_at=now, keep_attempts=True)
            await self._emit(_Result(claim, outcome))

    # -- one URL ----------------------------------------------------------------

    async def _process(self, client: httpx.AsyncClient, claim: Claim) -> _Result:
        source = self._sources.get(claim.source)
        if source is None:  # the source was removed from the file since
            return _Result(claim, Outcome(claim.id, State.SKIPPED, outcome="no_source"))
        try:
            rules = await self._robots_for(client, claim)
        except FetchError as error:
            return self._failed(claim, error)
        if rules.unavailable:
            retry_at = datetime.now(UTC) + timedelta(seconds=ROBOTS_UNAVAILABLE_SECONDS)
            outcome = Outcome(claim.id, State.PENDING, "robots_unavailable", retry_at=retry_at)
            return _Result(claim, replace(outcome, keep_attempts=True))
        if not rules.allows(claim.url, self._config.user_agent):
            return _Result(claim, Outcome(claim.id, State.SKIPPED, outcome="robots"))
        try:
            async with self._pacer.turn(claim.host):
                self._tally.fetched += 1
                if claim.kind in (Kind.FEED, Kind.SITEMAP):
                    validators = Validators(claim.etag, claim.last_modified)
                    fetched: Document | FetchResult = await fetch_document(
                        client, claim.url, self._fetch_settings, validators
                    )
                else:
                    fetched = await fetch_page_async(client, claim.url, self._fetch_settings)
        except FetchError as error:
            return self._failed(claim, error)
        self._pacer.record_success(claim.host)
        if isinstance(fetched, Document):
            return await self._document_result(claim, source, fetched)
        return await self._page_result(claim, source, fetched)

    async def _robots_for(self, client: httpx.AsyncClient, claim: Claim) -> RobotsRules:
        origin = str(httpx.URL(claim.url).copy_with(path="/", query=None, fragment=None))
        rules = self._robots.get(origin)
        if rules is not None and rules.expires_at > time.monotonic():
            return rules
        async with self._pacer.turn(claim.host):
            try:
                document = await fetch_document(client, origin + "robots.txt", self._fetch_settings)
                status, body = document.status, document.body
            except FetchError as error:
                if error.kind in _REFUSED_KINDS:
                    raise  # the host itself may not be reached: its URLs fail, not wait
                status, body = None, None
            rules = self._robots[origin] = robots_rules(status, body, time.monotonic())
            # Inside the turn, so the gap after this very request already honours it.
            self._pacer.apply_crawl_delay(claim.host, rules.crawl_delay(self._config.user_agent))
        return rules

    def _failed(self, claim: Claim, error: FetchError) -> _Result:
        attempt = failed_attempt(claim.url, datetime.now(UTC), error)
        if is_retryable(error.kind, error.status):
            self._pacer.record_error(claim.host)
            if claim.attempts < MAX_ATTEMPTS:
                retry_at = datetime.now(UTC) + timedelta(seconds=backoff_delay(claim.attempts))
                outcome = Outcome(claim.id, State.PENDING, "retry", error.kind, retry_at=retry_at)
                return _Result(claim, outcome, attempt)
        else:
            self._pacer.record_success(claim.host)  # the host answered; the URL is bad
        self._tally.failed[error.kind] += 1
        return _Result(claim, Outcome(claim.id, State.FAILED, "failed", error.kind), attempt)

    async def _page_result(self, claim: Claim, source: Source, page: FetchResult) -> _Result:
        want_links = claim.kind == Kind.LISTING or claim.depth < source.max_depth
        try:
            analysis = await self._analyse(
                claim.kind, page.body, page.final_url, page.header_map, want_links
            )
        except BrokenExecutor:
            raise  # a worker died (out of memory?): no later page can be cleaned either
        except Exception as exc:  # one page that crashes the cleaner must not end the run
            self._tally.failed[CLEANER_ERROR] += 1
            error = FetchError(page.final_url, CLEANER_ERROR, f"{type(exc).__name__}: {exc}")
            outcome = Outcome(claim.id, State.FAILED, "failed", CLEANER_ERROR)
            return _Result(claim, outcome, page_attempt(page, error))
        found = self._links(source, claim.depth, analysis.links)
        if claim.kind != Kind.ARTICLE:
            outcome = Outcome(claim.id, State.DONE, "listing")
            return _Result(claim, outcome, found=found)
        article = analysis.article
        if article is None or article.is_empty:
            reason = article.reason if article is not None else None
            if reason == cleaners.Reason.NOT_ARTICLE:
                outcome = Outcome(claim.id, State.DONE, "not_article")
                return _Result(claim, outcome, found=found)
            error = FetchError(page.final_url, FetchErrorKind.EMPTY, f"no article text ({reason})")
            self._tally.failed[FetchErrorKind.EMPTY] += 1
            outcome = Outcome(claim.id, State.FAILED, "failed", FetchErrorKind.EMPTY)
            return _Result(
                claim, outcome, page_attempt(page, error), found=found, raw=RawPage.of(page)
            )
        canonical = article.canonical_url if is_http_url(article.canonical_url or "") else None
        urls = tuple(u for u in dict.fromkeys((claim.url, page.final_url, canonical)) if u)
        outcome = Outcome(claim.id, State.DONE, canonical_url=canonical)
        return _Result(
            claim, outcome, page_attempt(page), article, urls, found, raw=RawPage.of(page)
        )

    async def _document_result(self, claim: Claim, source: Source, document: Document) -> _Result:
        if document.unchanged:
            self._tally.unchanged += 1
            return _Result(claim, Outcome(claim.id, State.DONE, "unchanged"))
        if not document.ok:
            error = FetchError(
                document.url,
                FetchErrorKind.HTTP_STATUS,
                f"HTTP {document.status}",
                status=document.status,
            )
            return self._failed(claim, error)
        try:
            analysis = await self._analyse(claim.kind, document.body, document.url, {}, False)
        except FetchError as error:
            return self._failed(claim, error)
        outcome = Outcome(
            claim.id,
            State.DONE,
            claim.kind,
            etag=document.validators.etag,
            last_modified=document.validators.last_modified,
        )
        found = [
            Discovered(url, host_of(url), source.name, Kind.ARTICLE, 1, lastmod)
            for url, lastmod in analysis.entries
            if self._belongs(source, url) and source.wants_article(url)
        ]
        children = [
            Discovered(url, host_of(url), source.name, Kind.SITEMAP, 0, lastmod)
            for url, lastmod in analysis.sitemaps
            if self._belongs(source, url)
        ]
        # A child without lastmod cannot say it is unchanged: read it every run.
        seeds = tuple(child for child in children if child.lastmod is None)
        found += [child for child in children if child.lastmod is not None]
        return _Result(claim, outcome, found=tuple(found), seeds=seeds)

    async def _analyse(
        self, kind: str, body: bytes, url: str, headers: dict[str, str], want_links: bool
    ) -> PageAnalysis:
        job = partial(analyse, kind, body, url, headers, want_links, self._fetch_settings.max_bytes)
        return await asyncio.get_running_loop().run_in_executor(self._pool, job)

    def _links(self, source: Source, depth: int, links: Iterable[str]) -> tuple[Discovered, ...]:
        """Links worth following from a page at ``depth``, as frontier entries."""
        found = []
        for url in links:
            if not self._belongs(source, url) or source.is_excluded(url):
                continue
            if source.wants_article(url) and depth + 1 <= source.max_depth:
                found.append(Discovered(url, host_of(url), source.name, Kind.ARTICLE, depth + 1))
            elif depth + 2 <= source.max_depth:
                found.append(Discovered(url, host_of(url), source.name, Kind.LISTING, depth + 1))
        return tuple(found)

    @staticmethod
    def _belongs(source: Source, url: str) -> bool:
        try:
            return source.owns(host_of(url))
        except ValueError:
            return False

    # -- writing ------------------------------------------------------------------

    async def _emit(self, result: _Result) -> None:
        self._unwritten += 1
        await self._results.put(result)

    async def _writer(self) -> None:
        """Commit results in batches, off the event loop, until the ``None`` sentinel."""
        finished = False
        while not finished:
            batch: list[_Result] = []
            item = await self._results.get()
            deadline = time.monotonic() + WRITE_LINGER
            while item is not None:
                batch.append(item)
                if len(batch) >= WRITE_BATCH:
                    break
                try:
                    item = await asyncio.wait_for(
                        self._results.get(), max(0.0, deadline - time.monotonic())
                    )
                except TimeoutError:
                    break
            finished = item is None
            if batch:
                await self._in_db(self._write_batch, batch)
                self._unwritten -= len(batch)
                if self._on_progress is not None:
                    self._on_progress(self._tally.report(time.monotonic()))

    def _write_batch(self, batch: list[_Result]) -> None:
        """Runs on the database thread: articles first, then outcomes and new URLs.

        If the process dies between the two, the URLs stay leased, are fetched
        again by the next run and come out as duplicates: nothing is lost or doubled.
        """
        known: list[tuple[str, str, str]] = []
        outcomes: list[Outcome] = []
        for result in batch:
            outcome = result.outcome
            if result.attempt is not None:
                saved = self._store.save(result.attempt, result.article, result.urls, result.raw)
                if result.article is not None:
                    outcome = replace(outcome, outcome=saved.status)
                    if saved.status == NEW:
                        self._tally.new += 1
                    else:
                        self._tally.duplicate += 1
                    canonical = outcome.canonical_url
                    if canonical is not None and canonical != result.claim.url:
                        known.append((canonical, host_of(canonical), result.claim.source))
            outcomes.append(outcome)
        self._frontier.mark_known(known)
        self._frontier.finish(outcomes)
        self._frontier.add_seeds(seed for result in batch for seed in result.seeds)
        self._tally.discovered += self._frontier.add(
            item for result in batch for item in result.found
        )

    # -- bookkeeping --------------------------------------------------------------

    async def _in_db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, partial(function, *args, **kwargs))

    def _start_run(self) -> int:
        with self._store.write() as conn:
            row = conn.execute(
                insert(CrawlRunRow)
                .values(
                    started_at=datetime.now(UTC),
                    sources_file=self._settings.sources_file,
                    failed_by_kind={},
                )
                .returning(CrawlRunRow.id)
            )
            return row.scalar_one()

    def _finish_run(self, run_id: int, report: CrawlReport) -> None:
        with self._store.write() as conn:
            conn.execute(
                update(CrawlRunRow)
                .where(CrawlRunRow.id == run_id)
                .values(
                    finished_at=datetime.now(UTC),
                    discovered=report.discovered,
                    fetched=report.fetched,
                    new=report.new,
                    duplicate=report.duplicate,
                    unchanged=report.unchanged,
                    failed=report.failed,
                    failed_by_kind=dict(report.failed_by_kind),
                    elapsed=report.elapsed,
                    exit_code=report.exit_code,
                )
            )
