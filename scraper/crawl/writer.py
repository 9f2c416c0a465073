"""What the crawl itself writes: the outcome of each URL in batches, and its ``crawl_runs`` row.

Articles are written by the worker processes (``scraper.crawl.worker``); the writer
records, a batch at a time on the crawl's writer thread, what became of each claimed
URL: failed fetches, frontier states, canonical URLs already stored, new URLs.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, update

from scraper.crawl.database_calls import CrawlDatabase
from scraper.crawl.frontier import Frontier
from scraper.crawl.frontier_records import Claim, Discovered, Outcome
from scraper.crawl.tally import CrawlReport, Tally
from scraper.records import FetchAttempt
from scraper.storage.models import CrawlRunRow
from scraper.storage.prepare import prepare_save
from scraper.storage.store import Store
from scraper.urls import host_of, url_key

WRITE_BATCH = 64  # results the writer commits together at most
WRITE_LINGER = 0.05  # seconds the writer waits to fill a batch


@dataclass(frozen=True, slots=True)
class CrawlResult:
    """One claimed URL, processed: what the writer must record."""

    claim: Claim
    outcome: Outcome
    failure: FetchAttempt | None = None  # a failed fetch to log (workers log the rest)
    found: tuple[Discovered, ...] = ()
    seeds: tuple[Discovered, ...] = ()  # sitemaps to re-read every run


class ResultWriter:
    """Takes results from the host tasks and commits them in batches."""

    def __init__(
        self,
        db: CrawlDatabase,
        frontier: Frontier,
        tally: Tally,
        on_progress: Callable[[CrawlReport], None] | None,
    ) -> None:
        self._db = db
        self._frontier = frontier
        self._tally = tally
        self._on_progress = on_progress
        self._results: asyncio.Queue[CrawlResult | None] = asyncio.Queue(maxsize=4 * WRITE_BATCH)
        self.unwritten = 0  # results handed to the writer and not yet committed

    async def emit(self, result: CrawlResult) -> None:
        """Hand ``result`` over; waits while the writer's queue is full."""
        if not self._db.gate.is_open:
            self._db.gate.keep(result.claim.id)
        self.unwritten += 1
        await self._results.put(result)

    async def finish(self) -> None:
        """No more results: the writer commits what it holds and ends."""
        await self._results.put(None)

    async def run(self) -> None:
        """Commit results in batches, off the event loop, until ``finish``."""
        finished = False
        while not finished:
            batch: list[CrawlResult] = []
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
                await self._db.call(self._write_batch, batch)
                self.unwritten -= len(batch)
                self._db.gate.written(result.claim.id for result in batch)
                if self._on_progress is not None:
                    self._on_progress(self._tally.report(time.monotonic()))

    def _write_batch(self, batch: list[CrawlResult]) -> None:
        """Runs on the writer thread: failed fetches, outcomes, then new URLs.

        Workers commit each article before its outcome reaches a batch. If the
        process dies in between, the URL stays leased, is fetched again by the
        next run and comes out a duplicate: nothing is lost or doubled.
        """
        with self._db.serialised():
            failures = [result.failure for result in batch if result.failure is not None]
            if failures:
                self._db.store.save_prepared_many([prepare_save(f, None, ()) for f in failures])
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


def start_run_row(store: Store, sources_file: str | None) -> int:
    """A new ``crawl_runs`` row for this run; its id."""
    with store.write() as conn:
        row = conn.execute(
            insert(CrawlRunRow)
            .values(
                started_at=datetime.now(UTC),
                sources_file=sources_file,
                failed_by_kind={},
            )
            .returning(CrawlRunRow.id)
        )
        return row.scalar_one()


def finish_run_row(store: Store, run_id: int, report: CrawlReport) -> None:
    """The run's counts and end time in its ``crawl_runs`` row."""
    with store.write() as conn:
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
