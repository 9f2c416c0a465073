"""``scrape crawl``: discover, fetch, clean and store the pages of a sources file.

Shape of a run::

    scheduler ── one task per host with due URLs (at most ``concurrency``)
                   claim a few URLs (lease) → robots.txt → wait the host's turn → fetch
                   → worker process (``worker``): clean and store an article,
                     or read links / feed and sitemap entries
                   → hand the outcome to the writer
    writer    ── batches outcomes on a database thread: frontier states, new URLs

This module is the scheduler; ``hosts`` is the per-host work, ``pages`` what becomes of
one URL, ``batcher`` the way to the worker processes (``worker``), ``writer`` the writer,
and ``database_calls`` the threads and outage gate every database call goes through.

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
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial

from scraper.crawl.batcher import JobBatcher
from scraper.crawl.coordination import claim_due_sources
from scraper.crawl.database_calls import CrawlDatabase
from scraper.crawl.frontier import Frontier
from scraper.crawl.frontier_records import Discovered, Kind
from scraper.crawl.hosts import HostWork
from scraper.crawl.locks import source_locks
from scraper.crawl.pages import PageProcessor
from scraper.crawl.politeness import HostPacer
from scraper.crawl.robots import RobotsCache
from scraper.crawl.settings import CrawlSettings
from scraper.crawl.sources import CrawlConfig
from scraper.crawl.tally import CrawlReport, Tally
from scraper.crawl.worker import init_worker
from scraper.crawl.writer import ResultWriter, finish_run_row, start_run_row
from scraper.errors import StorageError
from scraper.logs import debug_enabled
from scraper.storage.outage import OutageRider
from scraper.storage.store import Store, open_store
from scraper.urls import host_of
from scraper.workers.processes import worker_context
from scraper.workers.watched_pool import WatchedPool

IDLE_POLL = 0.2  # seconds between looks at the frontier when no host is busy
FOREVER_POLL = 1.0  # the same for a long-lived worker (--forever) with nothing due


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
    """The scheduler: one host task per host with due URLs, at most ``concurrency``."""

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
        self._frontier = Frontier(store, lease_seconds=settings.lease_seconds)
        self._discover = discover
        self._next_discovery = 0.0  # monotonic time of the next look at the schedule
        # SQLite runs alone (one flock per database): leases left behind are a dead
        # run's. On PostgreSQL they may be live workers' and expire on their own.
        self._exclusive = store.engine.dialect.name == "sqlite"
        self._concurrency = settings.concurrency or config.concurrency
        self._pacer = HostPacer(default_delay=config.delay)
        for source in config.sources:
            for host in source.hosts:
                self._pacer.set_delay(host, config.delay_for(source))
        self._tally = Tally(started=time.monotonic())
        self._processes = worker_context()
        # SQLite takes one writer at a time: one lock for workers and threads
        # hands the turn over at once instead of sleeping in the busy handler.
        self._write_lock = self._processes.Lock() if store.engine.dialect.name == "sqlite" else None
        self._db = CrawlDatabase(
            store, settings.outage_policy, self._write_lock, self._renew_leases
        )
        self._writer = ResultWriter(self._db, self._frontier, self._tally, on_progress)
        fetch_settings = replace(settings.fetch, user_agent=config.user_agent)
        self._pages = PageProcessor(
            config.sources,
            fetch_settings,
            self._pacer,
            RobotsCache(self._db, self._pacer, fetch_settings),
            self._tally,
            self._db.gate,
        )
        self._hosts = HostWork(
            self._db,
            self._frontier,
            self._pacer,
            self._pages,
            self._writer,
            self._tally,
            user_agent=config.user_agent,
            allow_private=settings.allow_private,
            max_pages=settings.max_pages or config.max_pages,
        )

    async def run(self) -> CrawlReport:
        run_id = await self._db.call(start_run_row, self._store, self._settings.sources_file)
        writer = asyncio.create_task(self._writer.run())
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
                self._pages.batcher = JobBatcher(pool)
                scheduler = asyncio.create_task(self._schedule())
                # A writer that fails (database gone) must end the run, not
                # leave the scheduler waiting on a full queue while leases renew.
                await asyncio.wait({scheduler, writer}, return_when=asyncio.FIRST_COMPLETED)
                if writer.done():
                    scheduler.cancel()
                    writer.result()
                await scheduler
            await self._writer.finish()
            await writer
        finally:
            keeper.cancel()
            if not writer.done():
                writer.cancel()
            report = self._tally.report(time.monotonic())
            try:
                if self._db.gate.is_open:  # else the run ends for that: it keeps no end time
                    await self._db.call(finish_run_row, self._store, run_id, report)
            finally:
                self._db.gate.close()
                self._db.shutdown()
        return report

    async def _schedule(self) -> None:
        await self._db.call(self._frontier.release_leases, all_held=self._exclusive)
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
                self._hosts.stopping = True
            if not self._hosts.stopping and time.monotonic() >= self._next_discovery:
                await self._queue_due_seeds()
            free = self._concurrency - len(active)
            hosts: list[str] = []
            if free > 0 and not self._hosts.stopping:
                busy = set(active) | self._pacer.paused_hosts()
                hosts = await self._db.call_short(self._frontier.due_hosts, busy, free)
                for host in hosts:
                    active[host] = asyncio.create_task(self._hosts.work(host))
            if not active and not hosts and (self._writer.unwritten == 0 or self._hosts.stopping):
                if self._hosts.stopping or not self._settings.forever:
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
        due = await self._db.call(self._due_sources)
        await self._db.call(self._frontier.add_seeds, self._seeds(frozenset(due)))
        forever = self._settings.forever
        self._next_discovery = time.monotonic() + FOREVER_POLL if forever else float("inf")

    def _due_sources(self) -> list[str]:
        interval = timedelta(seconds=self._settings.discover_every)
        with self._db.serialised(), self._store.write() as conn:
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

    async def _keep_leases(self) -> None:
        """Renew this worker's leases while it lives; a killed worker's run out."""
        while True:
            await asyncio.sleep(self._settings.lease_seconds / 3)
            try:
                await self._db.call_short(self._renew_leases)
            except StorageError:
                continue  # a deadlock victim or a dropped connection: the next round retries

    def _renew_leases(self) -> None:
        with self._db.serialised():
            self._frontier.renew_leases()

    def _stop(self) -> None:
        """SIGTERM or SIGINT to a long-lived worker: finish what is in flight, then end.

        While the database is away nothing in flight can be finished: the run ends now.
        """
        self._hosts.stopping = True
        self._db.gate.give_up()
