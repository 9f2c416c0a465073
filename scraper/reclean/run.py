"""``scrape reclean``: run the current cleaner again over the pages already fetched.

For each selected article, the latest archived page that led to it
(``scraper.reclean.read``) is cleaned again in a process pool (both cores,
``scraper.reclean.clean``), and the result written back in batches
(``scraper.reclean.write``, which says what becomes of each kind of result).

Workers do the expensive part — decompressing, cleaning, hashing, MinHash —
and the main process only reads pages and writes rows, a batch in a few
statements, so throughput scales with the number of cores.

On PostgreSQL several recleaners (machines) can run at once: each claims id
ranges of the run (``scraper.reclean.ranges``) and records its progress in the
transactions that write the articles. On SQLite one process does the whole run.

A PostgreSQL run rides out a database outage (``scraper.storage.outage``): it waits, keeps
the batch it has cleaned, and writes it when the server is back; a run on SQLite
waits for a file another program keeps locked. Both give up past the outage limit.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import count, islice

import cleaners
from scraper.errors import StorageError
from scraper.logs import configure_logging, debug_enabled
from scraper.reclean.clean import CleanedPage, RecleanJob, clean_pages
from scraper.reclean.ranges import (
    DEFAULT_RANGE_LEASE_SECONDS,
    DEFAULT_RANGE_SIZE,
    IdRange,
    RangeClaim,
    RangeLost,
    claim_range,
    next_lease_end,
    record_progress,
)
from scraper.reclean.read import RecleanSelection, iter_jobs
from scraper.reclean.write import WriteCounts, apply_cleaned, is_transient
from scraper.records import Extractor
from scraper.storage.outage import DEFAULT_OUTAGE_LIMIT, OutagePolicy, OutageRider
from scraper.storage.store import Store
from scraper.workers.processes import worker_context, worker_id
from scraper.workers.watched_pool import DEFAULT_PAGE_TIME_LIMIT, PageTimeout, WatchedPool

log = logging.getLogger(__name__)

DEFAULT_RECLEAN_WORKERS = 2
WRITE_BATCH = 32  # results written in one transaction
CHUNK = 8  # pages per task sent to a worker: the pool's cost per task is paid once for all
CHUNKS_IN_FLIGHT_PER_WORKER = 4  # a worker stays busy while a batch is written
WRITE_ATTEMPTS = 3  # PostgreSQL: a batch that lost a race with another recleaner runs again
_RANGE_POLL_SECONDS = (0.2, 5.0)  # bounds of the wait for another recleaner's range


@dataclass(frozen=True, slots=True)
class RecleanReport:
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    empty: int = 0
    elapsed: float = 0.0
    failed: int = 0  # pages that held their worker past the limit: articles left as they were

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.pages} pages, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.merged} merged, {self.empty} empty, {self.failed} failed, "
            f"{self.elapsed:.1f} s, {self.pages_per_second:.1f} pages/s"
        )


@dataclass(slots=True)
class _Tally:
    started: float = field(default_factory=time.monotonic)
    pages: int = 0
    failed: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)

    def add(self, pages: int, counts: WriteCounts) -> None:
        self.pages += pages
        self.counts.changed += counts.changed
        self.counts.unchanged += counts.unchanged
        self.counts.merged += counts.merged
        self.counts.empty += counts.empty

    def report(self) -> RecleanReport:
        counts = self.counts
        return RecleanReport(
            self.pages,
            counts.changed,
            counts.unchanged,
            counts.merged,
            counts.empty,
            time.monotonic() - self.started,
            self.failed,
        )


@dataclass(frozen=True, slots=True)
class _Share:
    """A claimed range this process works on: its writes record progress in it."""

    claim: RangeClaim
    id_range: IdRange


def reclean(
    store: Store,
    selection: RecleanSelection = RecleanSelection(),
    *,
    workers: int = DEFAULT_RECLEAN_WORKERS,
    extract: Extractor = cleaners.extract,
    version: str = cleaners.__version__,
    on_progress: Callable[[RecleanReport], None] | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
    lease_seconds: float = DEFAULT_RANGE_LEASE_SECONDS,
    outage_limit: float = DEFAULT_OUTAGE_LIMIT,
    page_time_limit: float = DEFAULT_PAGE_TIME_LIMIT,
) -> RecleanReport:
    """Clean the selected articles' pages again with ``extract`` and store what changed.

    ``version`` is recorded as each article's ``cleaner_version``; pass another
    one with another ``extract``. On PostgreSQL the run is shared, ``range_size``
    ids at a time, with every recleaner running the same selection and version;
    a range whose recleaner stopped renewing it for ``lease_seconds`` is taken over.
    The database may be unavailable for ``outage_limit`` seconds (module doc). A page
    that holds its worker longer than ``page_time_limit`` seconds fails: the worker is
    killed and replaced, the article left as it was.
    """
    tally = _Tally()
    shared = store.engine.dialect.name == "postgresql"
    rider = OutageRider(OutagePolicy(outage_limit, unreachable=shared))
    with WatchedPool(
        workers,
        worker_context(),
        page_time_limit=page_time_limit,
        initializer=configure_logging,  # a worker's error is one line, as the command's
        initargs=(debug_enabled(),),
    ) as pool:
        work = partial(clean_pages, extract)
        pipeline = _Pipeline(pool, work, workers, store, version, tally, rider, on_progress)
        if not shared:
            pipeline.run(iter_jobs(store, selection, version, rider=rider), None)
            return tally.report()
        lease = timedelta(seconds=lease_seconds)
        claim = RangeClaim(selection.run_name(version), worker_id(), range_size, lease)
        for id_range in _claimed_ranges(store, claim, rider):
            jobs = iter_jobs(
                store,
                selection,
                version,
                after=id_range.done_through,
                through=id_range.last_id,
                rider=rider,
            )
            try:
                pipeline.run(jobs, _Share(claim, id_range))
            except RangeLost:
                continue  # we were too slow and another recleaner has it now
    return tally.report()


def _claimed_ranges(store: Store, claim: RangeClaim, rider: OutageRider) -> Iterator[IdRange]:
    """Ranges for this process until the run is done, waiting on those others hold."""
    while True:
        now = datetime.now(UTC)
        id_range, lease_end = rider.call(partial(_claim_or_wait, store, claim, now))
        if id_range is not None:
            yield id_range
        elif lease_end is None:
            return
        else:  # held by live recleaners: they finish, or their lease runs out
            low, high = _RANGE_POLL_SECONDS
            time.sleep(min(max((lease_end - now).total_seconds(), low), high))


def _claim_or_wait(
    store: Store, claim: RangeClaim, now: datetime
) -> tuple[IdRange | None, datetime | None]:
    """A range claimed; or, when none is free, when the first lease on one ends."""
    with store.write() as conn:
        id_range = claim_range(conn, claim, now)
        return id_range, next_lease_end(conn, claim) if id_range is None else None


@dataclass(slots=True)
class _Pipeline:
    """Jobs out to the worker pool, results back into the database, in id order."""

    pool: Executor
    work: Callable[[list[RecleanJob]], list[CleanedPage]]
    workers: int
    store: Store
    version: str
    tally: _Tally
    rider: OutageRider  # a batch waits out an outage, then is written
    on_progress: Callable[[RecleanReport], None] | None = None

    def _write_once(
        self, batch: list[CleanedPage], share: _Share | None, done_through: int | None
    ) -> WriteCounts:
        for attempt in count(1):
            try:
                with self.store.write() as conn:
                    if share is not None and done_through is not None:
                        # First: a range lost to another recleaner raises before any write,
                        # and on PostgreSQL its row stays locked against a takeover until commit.
                        # After an outage this renews the range's lease before anything else.
                        now = datetime.now(UTC)
                        record_progress(conn, share.claim, share.id_range, done_through, now)
                    return apply_cleaned(conn, batch, self.version, self.store.near_threshold)
            except StorageError as exc:
                if attempt >= WRITE_ATTEMPTS or not is_transient(exc):
                    raise
        raise AssertionError("count() never ends")  # for the type checker

    def run(self, jobs: Iterable[RecleanJob], share: _Share | None) -> None:
        """Clean ``jobs`` and write the results batch by batch; a shared range ends done."""
        pending: deque[tuple[Future[list[CleanedPage]], list[RecleanJob]]] = deque()
        batch: list[CleanedPage] = []
        try:
            for chunk in _chunks(jobs, CHUNK):
                pending.append((self.pool.submit(self.work, chunk), chunk))
                if len(pending) >= self.workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                    batch += self.cleaned(*pending.popleft())
                if len(batch) >= WRITE_BATCH:
                    self.write(batch, share, batch[-1].article_id)
                    batch = []
            while pending:
                batch += self.cleaned(*pending.popleft())
            if share is not None:
                self.write(batch, share, share.id_range.last_id)
            elif batch:
                self.write(batch, None, None)
        finally:
            for future, _ in pending:  # a range lost, or an error: the rest is not written
                future.cancel()

    def cleaned(
        self, future: Future[list[CleanedPage]], chunk: list[RecleanJob]
    ) -> list[CleanedPage]:
        """A chunk's results; a page that held its worker past the limit fails alone (its
        article is left as it was) and the rest of the chunk is cleaned again."""
        try:
            return future.result()
        except PageTimeout as error:
            if not 0 <= error.index < len(chunk):
                raise
            stuck = chunk[error.index]
            log.warning("reclean: article %s (%s): %s", stuck.stored.article_id, stuck.url, error)
            self.tally.failed += 1
            rest = chunk[: error.index] + chunk[error.index + 1 :]
            return self.cleaned(self.pool.submit(self.work, rest), rest) if rest else []

    def write(
        self, batch: list[CleanedPage], share: _Share | None, done_through: int | None
    ) -> None:
        """One batch in one transaction, with the range's progress when it is shared."""
        attempt = partial(self._write_once, batch, share, done_through)
        counts = self.rider.call(attempt, pages=len(batch))
        self.tally.add(len(batch), counts)
        if self.on_progress is not None:
            self.on_progress(self.tally.report())


def _chunks(jobs: Iterable[RecleanJob], size: int) -> Iterator[list[RecleanJob]]:
    iterator = iter(jobs)
    while chunk := list(islice(iterator, size)):
        yield chunk
