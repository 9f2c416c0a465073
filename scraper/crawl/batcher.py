"""Page jobs to the crawl's worker processes, a few at a time."""

from __future__ import annotations

import asyncio
from concurrent.futures import BrokenExecutor, Executor
from functools import partial

from scraper.crawl.worker import PageAnalysis, PageJob, analyse_batch
from scraper.workers.watched_pool import PageTimeout

JOB_BATCH = 8  # pages a worker cleans and stores in one go, at most
JOB_LINGER = 0.01  # seconds a page waits for others to fill its batch


class JobBatcher:
    """Hands page jobs to the worker pool a few at a time (``scraper.crawl.worker.analyse_batch``).

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
