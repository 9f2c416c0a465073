"""``scrape crawl``: discover, fetch, clean and store the pages of a sources file.

Shape of a run::

    scheduler ── one task per host with due URLs (at most ``concurrency``)
                   claim a few URLs (lease) → robots.txt → wait the host's turn → fetch
                   → worker process (``crawl_worker``): clean and store an article,
                     or read links / feed and sitemap entries
                   → hand the outcome to the writer
    writer    ── batches outcomes on a database thread: frontier states, new URLs

Fetching is concurrent across hosts and serial within one host. Cleaning and
each article's transaction run in worker processes, so both cores work while
the event loop keeps fetching. The crawl's own database calls run on threads
so they never block the event loop. Memory holds only the in-flight
window (one page per active host and the writer's batch); the frontier itself
is in the database.

Every database call of the crawl passes a gate (``scraper.storage.outage``): when the
database goes away, or a SQLite file stays locked, nothing new is claimed, the
in-flight pages wait, and the leases are renewed first when it is back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import BrokenExecutor, Executor, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert, update

import cleaners
from scraper.config import FetchSettings
from scraper.crawl.coordination import StoredRobots, claim_due_sources, store_robots, stored_robots
from scraper.crawl.discover import (
    Document,
    Validators,
    fetch_document,
)
from scraper.crawl.frontier import DEFAULT_LEASE_SECONDS, Frontier
from scraper.crawl.frontier_records import Claim, Discovered, Kind, Outcome, State
from scraper.crawl.locks import source_locks
from scraper.crawl.politeness import (
    MAX_ATTEMPTS,
    ROBOTS_UNAVAILABLE_SECONDS,
    HostPacer,
    RobotsRules,
    backoff_delay,
    is_retryable,
    parse_retry_after,
    robots_rules,
)
from scraper.crawl.sources import CrawlConfig, IPNetwork, Source
from scraper.crawl.worker import PageAnalysis, PageJob, analyse_batch, init_worker
from scraper.errors import DatabaseUnavailableError, FetchError, FetchErrorKind, StorageError
from scraper.fetch.client import DEFAULT_SETTINGS, fetch_page_async
from scraper.fetch.netguard import AddressPolicy, AsyncGuardedTransport
from scraper.logs import debug_enabled
from scraper.pipeline import failed_attempt, page_attempt
from scraper.records import Extractor, FetchAttempt, FetchResult
from scraper.storage.models import CrawlRunRow
from scraper.storage.outage import DEFAULT_OUTAGE_LIMIT, DatabaseGate, OutagePolicy, OutageRider
from scraper.storage.prepare import prepare_save
from scraper.storage.store import Store, open_store
from scraper.storage.write import FAILED, NEW
from scraper.urls import host_of, url_key
from scraper.workers.processes import worker_context
from scraper.workers.watched_pool import DEFAULT_PAGE_TIME_LIMIT, PageTimeout, WatchedPool

T = TypeVar("T")

DEFAULT_CLEAN_WORKERS = 2
JOB_BATCH = 8  # pages a worker cleans and stores in one go, at most
JOB_LINGER = 0.01  # seconds a page waits for others to fill its batch
CLAIM_BATCH = 32  # URLs one host task leases at a time (its leases are renewed while it works)
WRITE_BATCH = 64  # results the writer commits together at most
WRITE_LINGER = 0.05  # seconds the writer waits to fill a batch
IDLE_POLL = 0.2  # seconds between looks at the frontier when no host is busy
MAX_IN_RUN_WAIT = 60.0  # a host that asks for a longer pause is left for a later run
FOREVER_POLL = 1.0  # the same for a long-lived worker (--forever) with nothing due
DEFAULT_DISCOVER_EVERY = 300.0  # seconds between two readings of a source's seeds (--forever)
# robots.txt errors that are the host's own failure: it must not be fetched at all,
# or cannot be reached. Its URLs then fail with that error (retried with backoff when
# transient, counted toward the host's pause) instead of waiting on robots.txt forever.
_REFUSED_KINDS = frozenset(
    {
        FetchErrorKind.BLOCKED_ADDRESS,
        FetchErrorKind.BAD_SCHEME,
        FetchErrorKind.INVALID_URL,
        FetchErrorKind.CONNECT_ERROR,
        FetchErrorKind.DNS_ERROR,
    }
)
CLEANER_ERROR = "cleaner_error"  # error kind of a page on which the cleaner raised
# Error kind of a page that held its cleaning worker past the page time limit: the worker
# was killed and replaced (scraper.workers.watched_pool); the page is failed for good.
CLEANER_TIMEOUT = "cleaner_timeout"


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
    # A long-lived worker (scraper.worker): waits for due URLs instead of ending,
    # re-reads each source's seeds every ``discover_every`` seconds, stops on SIGTERM.
    forever: bool = False
    discover_every: float = 0.0  # 0: every run reads every seed once
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    # Seconds a cleaning worker may spend on one page before it is killed and replaced.
    page_time_limit: float = DEFAULT_PAGE_TIME_LIMIT
    extract: Extractor = cleaners.extract  # the cleaner (a picklable callable)
    # How long the database may stay unavailable before the run gives up (scraper.storage.outage):
    # a long-lived worker waits for an unreachable server too, a one-shot run for a lock only.
    outage_limit: float = DEFAULT_OUTAGE_LIMIT

    @property
    def outage_policy(self) -> OutagePolicy:
        return OutagePolicy(self.outage_limit, unreachable=self.forever)


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
class _Result:
    """One claimed URL, processed: what the writer must record."""

    claim: Claim
    outcome: Outcome
    failure: FetchAttempt | None = None  # a failed fetch to log (workers log the rest)
    found: tuple[Discovered, ...] = ()
    seeds: tuple[Discovered, ...] = ()  # sitemaps to re-read every run


class _JobBatcher:
    """Hands page jobs to the worker pool a few at a time (``crawl_worker.analyse_batch``).

    Jobs arriving within ``linger`` seconds of each other travel together, up to
    ``size``: one process round trip and one write transaction for the lot, where
    one each per page cost the crawl as much CPU as a quarter of the cleaning.
    """

    def __init__(self, pool: Executor, size: int = JOB_BATCH, linger: float = JOB_LINGER) -> None:
        self._pool = pool
        self._size = size
        self._linger = linger
        self._waiting: list[tuple[PageJob, asyncio.Future[PageAnalysis]]] = []
        self._timer: asyncio.TimerHandle | None = None

    async def analyse(self, job: PageJob) -> PageAnalysis:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[PageAnalysis] = loop.create_future()
        self._waiting.append((job, future))
        if len(self._waiting) >= self._size:
            self._send()
        elif self._timer is None:
            self._timer = loop.call_later(self._linger, self._send)
        return await future

    def _send(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        batch, self._waiting = self._waiting, []
        self._submit(batch)

    def _submit(self, batch: list[tuple[PageJob, asyncio.Future[PageAnalysis]]]) -> None:
        try:
            done = asyncio.wrap_future(self._pool.submit(analyse_batch, [job for job, _ in batch]))
        except BrokenExecutor as error:
            done = asyncio.get_running_loop().create_future()
            done.set_exception(error)
        done.add_done_callback(partial(self._settled, batch))

    def _settled(
        self,
        batch: list[tuple[PageJob, asyncio.Future[PageAnalysis]]],
        done: asyncio.Future[list[PageAnalysis | Exception]],
    ) -> None:
        """A page that held its worker past the limit fails alone; the others go again
        (nothing of the batch was written: a worker writes a batch once it is cleaned)."""
        error = None if done.cancelled() else done.exception()
        if isinstance(error, PageTimeout) and 0 <= error.index < len(batch):
            culprit = batch[error.index][1]
            if not culprit.cancelled():
                culprit.set_exception(error)
            others = batch[: error.index] + batch[error.index + 1 :]
            if others:
                self._submit(others)
            return
        _settle([future for _, future in batch], done)


def _settle(
    futures: list[asyncio.Future[PageAnalysis]],
    done: asyncio.Future[list[PageAnalysis | Exception]],
) -> None:
    """Give each job of a batch its own result, or the batch's failure."""
    if done.cancelled():
        for future in futures:
            future.cancel()
        return
    error = done.exception()
    results: list[PageAnalysis | BaseException] = (
        [error] * len(futures) if error is not None else list(done.result())
    )
    for future, result in zip(futures, results, strict=True):
        if future.cancelled():
            continue
        if isinstance(result, BaseException):
            future.set_exception(result)
        else:
            future.set_result(result)


def crawl_database(
    config: CrawlConfig,
    db: str | None,
    settings: CrawlSettings = CrawlSettings(),
    *,
    on_progress: Callable[[CrawlReport], None] | None = None,
) -> CrawlReport:
    """Take the run lock of ``db``, open it and crawl; ``RunLockedError`` if a run holds it.

    SQLite: one run per database. PostgreSQL: runs share the frontier, and each
    source is discovered by the run that holds its lock (``scraper.crawl.locks``).
    """
    names = [source.name for source in config.sources]
    # A long-lived worker started while its database is down waits for it, within the limit.
    with OutageRider(settings.outage_policy).call(partial(open_store, db)) as store:
        if settings.forever and store.engine.dialect.name != "sqlite":
            # A worker living for days would keep its sources' locks for days: long-lived
            # workers share discovery through the schedule in crawl_sources alone.
            lock: AbstractContextManager[frozenset[str]] = nullcontext(frozenset(names))
        else:
            lock = source_locks(store.engine, names)
        with lock as discover:
            return run_crawl(config, store, settings, discover=discover, on_progress=on_progress)


def run_crawl(
    config: CrawlConfig,
    store: Store,
    settings: CrawlSettings = CrawlSettings(),
    *,
    discover: frozenset[str] | None = None,
    on_progress: Callable[[CrawlReport], None] | None = None,
) -> CrawlReport:
    """Crawl every source of ``config`` into ``store`` until nothing is due or a limit hits.

    The caller holds the run lock (``crawl_database`` takes it), which names the
    sources whose seeds this run reads (``discover``; None: all of them).
    """
    names = frozenset(source.name for source in config.sources)
    crawl = _Crawl(config, store, settings, on_progress, names if discover is None else discover)
    return asyncio.run(crawl.run())


class _Crawl:
    def __init__(
        self,
        config: CrawlConfig,
        store: Store,
        settings: CrawlSettings,
        on_progress: Callable[[CrawlReport], None] | None,
        discover: frozenset[str],
    ) -> None:
        self._config = config
        self._store = store
        self._settings = settings
        self._fetch_settings = replace(settings.fetch, user_agent=config.user_agent)
        self._frontier = Frontier(store, lease_seconds=settings.lease_seconds)
        self._discover = discover
        self._next_discovery = 0.0  # monotonic time of the next look at the schedule
        # SQLite runs alone (one flock per database): leases left behind are a dead
        # run's. On PostgreSQL they may be live workers' and expire on their own.
        self._exclusive = store.engine.dialect.name == "sqlite"
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
        # Two database threads: the writer's batches can take a while, and
        # claims (and other short queries) must not queue behind them.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl-writer")
        self._db_short = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl-claims")
        self._batcher: _JobBatcher | None = None
        self._tls = httpx.create_ssl_context()  # shared: each one takes ~0.1 s to build
        self._processes = worker_context()
        # SQLite takes one writer at a time: one lock for workers and threads
        # hands the turn over at once instead of sleeping in the busy handler.
        self._write_lock = self._processes.Lock() if store.engine.dialect.name == "sqlite" else None
        self._gate = DatabaseGate(settings.outage_policy, self._reopen)

    # -- the run --------------------------------------------------------------

    async def run(self) -> CrawlReport:
        run_id = await self._in_db(self._start_run)
        writer = asyncio.create_task(self._writer())
        db_url = self._store.engine.url.render_as_string(hide_password=False)
        pool = WatchedPool(
            self._settings.clean_workers,
            self._processes,
            page_time_limit=self._settings.page_time_limit,
            initializer=init_worker,
            initargs=(
                os.getpid(),
                db_url,
                self._write_lock,
                debug_enabled(),
                self._settings.extract,
            ),
        )
        keeper = asyncio.create_task(self._keep_leases())
        if self._settings.forever:
            for signum in (signal.SIGTERM, signal.SIGINT):
                asyncio.get_running_loop().add_signal_handler(signum, self._stop)
        try:
            with pool:
                self._batcher = _JobBatcher(pool)
                scheduler = asyncio.create_task(self._schedule())
                # A writer that fails (database gone) must end the run, not
                # leave the scheduler waiting on a full queue while leases renew.
                await asyncio.wait({scheduler, writer}, return_when=asyncio.FIRST_COMPLETED)
                if writer.done():
                    scheduler.cancel()
                    writer.result()
                await scheduler
            await self._results.put(None)
            await writer
        finally:
            keeper.cancel()
            if not writer.done():
                writer.cancel()
            report = self._tally.report(time.monotonic())
            try:
                if self._gate.is_open:  # else the run ends for that: it keeps no end time
                    await self._in_db(self._finish_run, run_id, report)
            finally:
                self._gate.close()
                self._db.shutdown()
                self._db_short.shutdown()
        return report

    def _client(self) -> httpx.AsyncClient:
        # The address guard refuses non-public addresses outside --allow-private,
        # on every hop; the response hook sees every answer, redirects included.
        transport = AsyncGuardedTransport(
            AddressPolicy(self._settings.allow_private), verify=self._tls
        )
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

    async def _schedule(self) -> None:
        await self._in_db(self._frontier.release_leases, all_held=self._exclusive)
        active: dict[str, asyncio.Task[None]] = {}
        try:
            await self._schedule_hosts(active)
        finally:
            # A run ending on an error ends its host tasks here, so none is left to fail
            # unseen (asyncio would print each one's traceback at exit).
            for task in active.values():
                task.cancel()
            await asyncio.gather(*active.values(), return_exceptions=True)

    async def _schedule_hosts(self, active: dict[str, asyncio.Task[None]]) -> None:
        deadline = self._settings.max_duration
        while True:
            if deadline is not None and time.monotonic() - self._tally.started >= deadline:
                self._stopping = True
            if not self._stopping and time.monotonic() >= self._next_discovery:
                await self._queue_due_seeds()
            free = self._concurrency - len(active)
            hosts: list[str] = []
            if free > 0 and not self._stopping:
                busy = set(active) | self._pacer.paused_hosts()
                hosts = await self._in_db_short(self._frontier.due_hosts, busy, free)
                for host in hosts:
                    active[host] = asyncio.create_task(self._work_host_alone(host))
            if not active and not hosts and (self._unwritten == 0 or self._stopping):
                if self._stopping or not self._settings.forever:
                    return
                await asyncio.sleep(FOREVER_POLL)
                continue
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

    async def _queue_due_seeds(self) -> None:
        """Queue the seeds of the sources due for discovery; a one-shot run looks once."""
        due = await self._in_db(self._due_sources)
        await self._in_db(self._frontier.add_seeds, self._seeds(frozenset(due)))
        forever = self._settings.forever
        self._next_discovery = time.monotonic() + FOREVER_POLL if forever else float("inf")

    def _due_sources(self) -> list[str]:
        interval = timedelta(seconds=self._settings.discover_every)
        with self._serialised(), self._store.write() as conn:
            return claim_due_sources(conn, self._discover, datetime.now(UTC), interval)

    def _seeds(self, names: frozenset[str]) -> list[Discovered]:
        seeds = []
        for source in self._config.sources:
            if source.name not in names:
                continue
            for urls, kind in (
                (source.start, Kind.LISTING),
                (source.feeds, Kind.FEED),
                (source.sitemaps, Kind.SITEMAP),
            ):
                seeds += [Discovered(url, host_of(url), source.name, kind) for url in urls]
        return seeds

    async def _work_host_alone(self, host: str) -> None:
        # A client per host task: its pool holds this host's connection only. One
        # shared pool re-checks every host's idle connection on each request,
        # which cost more CPU than the requests themselves with 50 hosts.
        async with self._client() as client:
            await self._work_host(client, host)

    async def _work_host(self, client: httpx.AsyncClient, host: str) -> None:
        """Work through ``host``'s due URLs while holding the host (``crawl.coordination``)."""
        try:
            while not self._stopping and not self._pacer.is_paused(host):
                claims = await self._in_db_short(self._claim, host)
                if not claims:
                    return
                ready_at = claims[0].host_ready_at  # the previous holder's delay
                if ready_at is not None:
                    self._pacer.defer(host, (ready_at - datetime.now(UTC)).total_seconds())
                for index, claim in enumerate(claims):
                    if self._stopping or self._pacer.is_paused(host) or self._page_budget_spent():
                        self._stopping = self._stopping or self._page_budget_spent()
                        await self._release(claims[index:])
                        return
                    wait = self._pacer.ready_in(host)
                    if wait > MAX_IN_RUN_WAIT:
                        # A long Retry-After: the host's URLs wait in the database
                        # until it is ready, not in this run.
                        ready_at = datetime.now(UTC) + timedelta(seconds=wait)
                        await self._release(claims[index:], ready_at)
                        return
                    await self._emit(await self._process(client, claim))
        finally:
            ready_at = datetime.now(UTC) + timedelta(seconds=self._pacer.ready_in(host))
            await self._in_db_short(self._release_host, host, ready_at)

    def _page_budget_spent(self) -> bool:
        return self._max_pages is not None and self._tally.fetched >= self._max_pages

    async def _release(self, claims: Iterable[Claim], retry_at: datetime | None = None) -> None:
        retry_at = retry_at or datetime.now(UTC)
        for claim in claims:
            outcome = Outcome(claim.id, State.PENDING, retry_at=retry_at, keep_attempts=True)
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
        # urlsplit, not httpx.URL: this runs for every URL and httpx's parser costs more
        # than the rest of the check.
        scheme, netloc, *_ = urlsplit(claim.url)
        origin = f"{scheme}://{netloc}/"
        rules = self._robots.get(origin)
        if rules is not None and rules.expires_at > time.monotonic():
            return rules
        rules = await self._in_db_short(self._shared_robots, claim.host)
        if rules is not None:  # another worker (or an earlier run) fetched it
            self._pacer.apply_crawl_delay(claim.host, rules.crawl_delay(self._config.user_agent))
            self._robots[origin] = rules
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
        fetched = StoredRobots(status, body, datetime.now(UTC))
        await self._in_db_short(self._share_robots, claim.host, fetched)
        return rules

    def _shared_robots(self, host: str) -> RobotsRules | None:
        """The host's robots.txt as stored by whoever fetched it, if still fresh."""
        with self._store.read() as conn:
            stored = stored_robots(conn, host)
        if stored is None:
            return None
        age = (datetime.now(UTC) - stored.fetched_at).total_seconds()
        rules = robots_rules(stored.status, stored.body, time.monotonic() - age)
        return rules if rules.expires_at > time.monotonic() else None

    def _share_robots(self, host: str, robots: StoredRobots) -> None:
        with self._serialised(), self._store.write() as conn:
            store_robots(conn, host, robots)

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
        job = PageJob(
            kind=claim.kind,
            url=claim.url,
            final_url=page.final_url,
            body=page.body,
            headers=page.headers,
            attempt=page_attempt(page) if claim.kind == Kind.ARTICLE else None,
            want_links=claim.kind == Kind.LISTING or claim.depth < source.max_depth,
        )
        try:
            analysis = await self._analyse(job, claim.id)
        except (BrokenExecutor, DatabaseUnavailableError):
            raise  # a worker died (out of memory?), or the database is gone for good
        except PageTimeout as error:
            return self._cleaner_timeout(claim, page, error)
        except Exception as exc:  # one page that crashes the cleaner must not end the run
            self._tally.failed[CLEANER_ERROR] += 1
            error = FetchError(page.final_url, CLEANER_ERROR, f"{type(exc).__name__}: {exc}")
            outcome = Outcome(claim.id, State.FAILED, "failed", CLEANER_ERROR)
            return _Result(claim, outcome, page_attempt(page, error))
        found = self._links(source, claim.depth, analysis.links)
        if claim.kind != Kind.ARTICLE:
            return _Result(claim, Outcome(claim.id, State.DONE, "listing"), found=found)
        if analysis.saved is None:  # the cleaner says: a section page, not an article
            return _Result(claim, Outcome(claim.id, State.DONE, analysis.reason), found=found)
        if analysis.saved == FAILED:
            self._tally.failed[FetchErrorKind.EMPTY] += 1
            outcome = Outcome(claim.id, State.FAILED, "failed", FetchErrorKind.EMPTY)
            return _Result(claim, outcome, found=found)
        if analysis.saved == NEW:
            self._tally.new += 1
        else:
            self._tally.duplicate += 1
        outcome = Outcome(claim.id, State.DONE, analysis.saved, canonical_url=analysis.canonical)
        return _Result(claim, outcome, found=found)

    def _cleaner_timeout(self, claim: Claim, page: FetchResult, error: PageTimeout) -> _Result:
        """The page held its cleaning worker past the limit: failed for good, with its fetch."""
        self._tally.failed[CLEANER_TIMEOUT] += 1
        failure = FetchError(page.final_url, CLEANER_TIMEOUT, str(error))
        outcome = Outcome(claim.id, State.FAILED, "failed", CLEANER_TIMEOUT)
        return _Result(claim, outcome, page_attempt(page, failure))

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
            job = PageJob(
                claim.kind,
                claim.url,
                document.url,
                document.body,
                max_bytes=self._fetch_settings.max_bytes,
            )
            analysis = await self._analyse(job, claim.id)
        except FetchError as error:
            return self._failed(claim, error)
        except PageTimeout as error:
            return self._failed(claim, FetchError(document.url, CLEANER_TIMEOUT, str(error)))
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

    async def _analyse(self, job: PageJob, claim_id: int) -> PageAnalysis:
        """The worker's analysis of ``job``; a page the worker could not store for an
        outage is kept (fetched once) and analysed again when the database is back."""
        if self._batcher is None:
            raise RuntimeError("no worker pool: pages are analysed only while the run lasts")
        while True:
            started = await self._gate.passage()
            try:
                return await self._batcher.analyse(job)
            except DatabaseUnavailableError as error:
                self._gate.keep(claim_id)
                await self._gate.wait_out(error, started)

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
        if not self._gate.is_open:
            self._gate.keep(result.claim.id)
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
                self._gate.written(result.claim.id for result in batch)
                if self._on_progress is not None:
                    self._on_progress(self._tally.report(time.monotonic()))

    def _write_batch(self, batch: list[_Result]) -> None:
        """Runs on the writer thread: failed fetches, outcomes, then new URLs.

        Workers commit each article before its outcome reaches a batch. If the
        process dies in between, the URL stays leased, is fetched again by the
        next run and comes out a duplicate: nothing is lost or doubled.
        """
        with self._serialised():
            failures = [result.failure for result in batch if result.failure is not None]
            if failures:
                self._store.save_prepared_many([prepare_save(f, None, ()) for f in failures])
            self._frontier.mark_known(
                (canonical, host_of(canonical), result.claim.source)
                for result in batch
                if (canonical := result.outcome.canonical_url)
                and url_key(canonical) != url_key(result.claim.url)
            )
            self._frontier.finish([result.outcome for result in batch])
            self._frontier.add_seeds(seed for result in batch for seed in result.seeds)
            self._tally.discovered += self._frontier.add(
                item for result in batch for item in result.found
            )

    def _claim(self, host: str) -> list[Claim]:
        with self._serialised():
            return self._frontier.claim(host, CLAIM_BATCH)

    def _release_host(self, host: str, ready_at: datetime) -> None:
        with self._serialised():
            self._frontier.release_host(host, ready_at)

    async def _keep_leases(self) -> None:
        """Renew this worker's leases while it lives; a killed worker's run out."""
        while True:
            await asyncio.sleep(self._settings.lease_seconds / 3)
            try:
                await self._in_db_short(self._renew_leases)
            except StorageError:
                continue  # a deadlock victim or a dropped connection: the next round retries

    def _renew_leases(self) -> None:
        with self._serialised():
            self._frontier.renew_leases()

    def _stop(self) -> None:
        """SIGTERM or SIGINT to a long-lived worker: finish what is in flight, then end.

        While the database is away nothing in flight can be finished: the run ends now.
        """
        self._stopping = True
        self._gate.give_up()

    def _serialised(self) -> AbstractContextManager[object]:
        return self._write_lock or nullcontext()

    # -- bookkeeping --------------------------------------------------------------

    async def _in_db(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        call = partial(function, *args, **kwargs)
        return await self._gate.call(lambda: loop.run_in_executor(self._db, call))

    async def _in_db_short(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        call = partial(function, *args)
        return await self._gate.call(lambda: loop.run_in_executor(self._db_short, call))

    async def _reopen(self) -> None:
        """The first call after an outage: the leases this worker holds, renewed."""
        await asyncio.get_running_loop().run_in_executor(self._db_short, self._renew_leases)

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
