"""A process pool that kills and replaces a worker held too long by one page.

``cleaners.extract`` bounds its own work (a deadline between stages, a depth guard
before the parse), but no deadline can stop a C call: a page built to defeat the guards
could hold a cleaning worker for minutes, and the pages queued behind it. The crawl and
``scrape reclean`` clean in a ``WatchedPool``: a task reports each page it starts
(``page_started``); a worker still on one page ``page_time_limit`` seconds later is
killed (SIGKILL) and a fresh one started in its place, from the same forkserver. The
task's future fails with ``PageTimeout``, which names the page's place in the task: the
caller records that page as failed and sends the others again.

Any other death of a worker (out of memory, a crash) breaks the pool, as it breaks a
``ProcessPoolExecutor``: every future fails with ``BrokenProcessPool``.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any

DEFAULT_PAGE_TIME_LIMIT = 20.0  # seconds on one page: four times cleaners.extract's deadline
_STOP_SECONDS = 5.0  # a worker told to stop gets this long before it is killed


class PageTimeout(Exception):
    """A worker spent longer than the limit on one page, and was killed and replaced."""

    def __init__(self, index: int, seconds: float) -> None:
        super().__init__(f"more than {seconds:g} s on one page: its cleaning worker was killed")
        self.index = index  # the page's place in the task's list
        self.seconds = seconds


@dataclass(slots=True)
class _Progress:
    """Shared with one worker (``RawValue``s): the page it is on, since when (0: none)."""

    since: Any
    index: Any


_progress: _Progress | None = None  # in a worker process: where it reports its page


def page_started(index: int) -> None:
    """Called by a task before each page; ``index`` is the page's place in the task."""
    if _progress is not None:
        _progress.index.value = index
        _progress.since.value = time.monotonic()


def pages_done() -> None:
    """Called by a task when it goes from its pages to other work (writing them)."""
    if _progress is not None:
        _progress.since.value = 0.0


def _serve(
    connection: Connection,
    since: Any,
    index: Any,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    """A worker process: run the tasks sent on ``connection`` until told to stop."""
    global _progress
    _progress = progress = _Progress(since, index)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            task = connection.recv()
        except EOFError:  # the pool is gone
            return
        if task is None:
            return
        function, args = task
        try:
            outcome: tuple[bool, Any] = (True, function(*args))
        except Exception as error:
            outcome = (False, error)
        progress.since.value = 0.0
        try:
            connection.send(outcome)
        except Exception as error:  # a result or an error that does not pickle
            connection.send((False, RuntimeError(f"{type(error).__name__}: {error}")))


@dataclass(slots=True, eq=False)
class _Worker:
    process: BaseProcess
    connection: Connection
    progress: _Progress
    future: Future[Any] | None = field(default=None)


class WatchedPool(Executor):
    """``workers`` processes of ``context``, each started with ``initializer(*initargs)``."""

    def __init__(
        self,
        workers: int,
        context: BaseContext,
        *,
        page_time_limit: float = DEFAULT_PAGE_TIME_LIMIT,
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
    ) -> None:
        self._context = context
        self._limit = page_time_limit
        self._initializer = initializer
        self._initargs = initargs
        self._lock = threading.Lock()
        self._pending: deque[tuple[Future[Any], Callable[..., Any], tuple[Any, ...]]] = deque()
        self._busy: list[_Worker] = []
        self._idle = [self._start_worker() for _ in range(workers)]
        self._closing = False
        self._broken: str | None = None
        self._wake_up, self._waker = context.Pipe(duplex=False)
        self._watcher = threading.Thread(target=self._watch, name="watched-pool", daemon=True)
        self._watcher.start()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if kwargs:
            raise TypeError("WatchedPool.submit takes positional arguments only")
        future: Future[Any] = Future()
        with self._lock:
            if self._broken is not None:
                raise BrokenProcessPool(self._broken)
            if self._closing:
                raise RuntimeError("cannot submit to a pool that is shutting down")
            self._pending.append((future, fn, args))
        self._waker.send_bytes(b"")  # the watcher hands it out, off the caller's thread
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._closing = True
            while cancel_futures and self._pending:
                self._pending.popleft()[0].cancel()
        self._waker.send_bytes(b"")
        if not wait:
            return
        self._watcher.join()
        for worker in self._idle:
            with contextlib.suppress(OSError):  # already gone
                worker.connection.send(None)
        for worker in self._idle:
            worker.process.join(_STOP_SECONDS)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.connection.close()

    # -- the watcher thread ----------------------------------------------------------

    def _watch(self) -> None:
        while True:
            with self._lock:
                if self._broken is not None or (
                    self._closing and not self._busy and not self._pending
                ):
                    return
                busy = list(self._busy)
            waits_on = [self._wake_up] + [w.connection for w in busy]
            waits_on += [w.process.sentinel for w in busy]
            ready = wait(waits_on, timeout=self._time_to_next_limit(busy))
            while self._wake_up.poll():
                self._wake_up.recv_bytes()
            self._dispatch()
            for worker in busy:
                if worker.connection in ready:
                    try:
                        self._finish(worker, *worker.connection.recv())
                    except (EOFError, OSError):
                        self._break(worker)
                elif worker.process.sentinel in ready:
                    self._break(worker)
                elif self._over_limit(worker):
                    self._replace(worker)

    def _time_to_next_limit(self, busy: list[_Worker]) -> float | None:
        starts = [w.progress.since.value for w in busy if w.progress.since.value > 0]
        if not starts:
            return 1.0  # a task may start a page at any moment: look again soon
        return max(0.0, min(starts) + self._limit - time.monotonic())

    def _over_limit(self, worker: _Worker) -> bool:
        since = worker.progress.since.value
        return since > 0 and time.monotonic() - since >= self._limit

    def _finish(self, worker: _Worker, ok: bool, value: Any) -> None:
        future = self._free(worker, worker)
        if future is not None:
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker held too long by one page; a new one takes its place."""
        index = worker.progress.index.value
        worker.process.kill()
        worker.process.join()
        worker.connection.close()
        future = self._free(worker, self._start_worker())
        if future is not None:
            future.set_exception(PageTimeout(index, self._limit))

    def _free(self, worker: _Worker, successor: _Worker) -> Future[Any] | None:
        """``worker``'s task is over; ``successor`` (itself, or its replacement) takes the
        next one. Returns the task's future, for the caller to settle."""
        with self._lock:
            future, worker.future = worker.future, None
            self._busy.remove(worker)
            self._idle.append(successor)
        self._dispatch()
        return future

    def _break(self, worker: _Worker) -> None:
        """A worker died by itself: no later task can be trusted to run; fail them all."""
        reason = f"a cleaning worker died (exit code {worker.process.exitcode})"
        with self._lock:
            self._broken = reason
            failed = [w.future for w in self._busy if w.future is not None]
            failed += [future for future, _, _ in self._pending]
            self._pending.clear()
            everyone, self._busy = self._busy + self._idle, []
            self._idle = []
        for each in everyone:
            each.process.kill()
            each.process.join()
        for future in failed:
            if not future.done():
                future.set_exception(BrokenProcessPool(reason))

    # -- workers -----------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Hand pending tasks to idle workers (on the watcher thread, the only sender)."""
        while True:
            with self._lock:
                if not (self._pending and self._idle):
                    return
                future, fn, args = self._pending.popleft()
                if not future.set_running_or_notify_cancel():
                    continue
                worker = self._idle.pop()
                worker.future = future
                self._busy.append(worker)
            worker.connection.send((fn, args))

    def _start_worker(self) -> _Worker:
        ours, theirs = self._context.Pipe()
        progress = _Progress(self._context.RawValue("d", 0.0), self._context.RawValue("i", -1))
        process = self._context.Process(
            target=_serve,
            args=(theirs, progress.since, progress.index, self._initializer, self._initargs),
            name="cleaning-worker",
            daemon=True,
        )
        process.start()
        theirs.close()
        return _Worker(process, ours, progress)
