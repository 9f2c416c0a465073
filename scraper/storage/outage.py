"""Riding out a database outage: wait, retry with backoff and jitter, give up past a limit.

A long-lived crawl worker (``--forever``) and a shared reclean keep going when the
database goes away for a while (a PostgreSQL restart, a failover, a network blip)
or, on SQLite, when another program keeps the file locked past the busy timeout:

* the crawl's database calls pass a gate (``DatabaseGate``). The first call that
  meets the outage closes it: no new work is claimed, and what was fetched and
  cleaned waits in memory (the in-flight window only: a page per host task and the
  writer's bounded queue);
* one recovery loop retries, ``FIRST_RETRY`` seconds after the failure, then
  doubling up to ``MAX_RETRY``, each wait drawn between half and all of its step
  (jitter: workers that lost the database together do not all knock together);
* the recovery call is the caller's choice (the crawl renews its leases: that comes
  before anything else), then the gate opens and the waiting calls go through;
* past the limit, every waiting call raises ``DatabaseOutageError``.

Synchronous code (a shared reclean, a worker opening its database) retries the call
itself on the same schedule (``OutageRider``). Each change of state is logged once:
"database unreachable (or locked) since …, retrying", then "database back after N s;
M pages written".
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from scraper.errors import DatabaseLockedError, DatabaseOutageError, DatabaseUnavailableError

T = TypeVar("T")

DEFAULT_OUTAGE_LIMIT = 600.0  # seconds a worker waits for its database before it gives up
FIRST_RETRY = 0.5  # seconds before the first retry
MAX_RETRY = 5.0  # the longest wait between two retries: a cheap probe, soon after a return

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OutagePolicy:
    """Which outages a run rides out, and for how long at most.

    A SQLite file locked by another program is always waited for, up to the limit.
    An unreachable server is waited for only by long-lived workers (``unreachable``);
    a one-shot run ends at once, and the next one carries on.
    """

    limit: float = DEFAULT_OUTAGE_LIMIT
    unreachable: bool = False

    def rides_out(self, error: DatabaseUnavailableError) -> bool:
        if isinstance(error, DatabaseOutageError):
            return False
        return self.unreachable or isinstance(error, DatabaseLockedError)


def retry_delay(attempt: int, rng: random.Random | None = None) -> float:
    """Seconds before retry number ``attempt`` (0 first): exponential, capped, with jitter."""
    step = min(MAX_RETRY, FIRST_RETRY * 2**attempt)
    return (rng or random).uniform(step / 2, step)


class DatabaseGate:
    """The crawl's database calls, held while the database is unavailable (see module doc).

    ``reopen`` is the first call tried after each wait; the gate opens when it succeeds.
    Pages kept through an outage are reported with ``keep`` and, once committed, with
    ``written``: the "back" line counts them, and comes when the last one is written.
    """

    def __init__(
        self,
        policy: OutagePolicy,
        reopen: Callable[[], Awaitable[object]],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._reopen = reopen
        self._clock = clock
        self._open = asyncio.Event()
        self._open.set()
        self._down_since: float | None = None
        self._opened_at = float("-inf")
        self._failure: BaseException | None = None
        self._recovery: asyncio.Task[None] | None = None
        self._cause: DatabaseUnavailableError | None = None  # the outage's latest error
        self._kept: set[Hashable] = set()
        self._written = 0
        self._back_after: float | None = None  # an outage ended: its "back" line is due

    @property
    def is_open(self) -> bool:
        return self._open.is_set() and self._failure is None

    async def call(self, attempt: Callable[[], Awaitable[T]]) -> T:
        """``attempt()`` once the gate is open; again, after the outage, if it meets one."""
        while True:
            started = await self.passage()
            try:
                return await attempt()
            except DatabaseUnavailableError as error:
                await self.wait_out(error, started)

    async def passage(self) -> float:
        """Wait until the gate is open; returns when the caller went through (monotonic)."""
        await self._open.wait()
        if self._failure is not None:
            raise self._failure
        return self._clock()

    async def wait_out(self, error: DatabaseUnavailableError, started: float) -> None:
        """A call begun at ``started`` met ``error``: wait until the database is back.

        Raises ``error`` if the policy does not ride it out, ``DatabaseOutageError``
        past the limit. A call older than the last reopening met the outage that
        just ended: it returns at once, and the caller tries again.
        """
        if not self._policy.rides_out(error):
            raise error
        if self._open.is_set() and self._opened_at < started and self._failure is None:
            self._close(error)
        await self.passage()

    def keep(self, key: Hashable) -> None:
        """A page (``key``: its claim) is kept in memory until the database is back."""
        self._kept.add(key)

    def written(self, keys: Iterable[Hashable]) -> None:
        """These pages are committed; those that were kept count toward the "back" line."""
        if self._kept:
            for key in keys:
                if key in self._kept:
                    self._kept.discard(key)
                    self._written += 1
        self._report_back()

    def close(self) -> None:
        """End the recovery loop, if one runs (the run is over)."""
        if self._recovery is not None:
            self._recovery.cancel()

    def give_up(self) -> None:
        """Stop waiting for the database (the run was asked to stop): waiting calls raise."""
        if self._down_since is None or self._failure is not None:
            return
        self.close()
        cause = self._cause
        self._failure = DatabaseOutageError(f"stopped while waiting for the database: {cause}")
        self._open.set()

    def _close(self, error: DatabaseUnavailableError) -> None:
        self._report_back(force=True)  # an earlier outage's line, before this one's
        self._down_since = self._clock()
        self._cause = error
        self._open.clear()
        log.warning("%s, retrying: %s", down_line(error), error)
        self._recovery = asyncio.create_task(self._recover(error))

    async def _recover(self, cause: DatabaseUnavailableError) -> None:
        assert self._down_since is not None
        attempt = 0
        try:
            while True:
                down_for = self._clock() - self._down_since
                if down_for >= self._policy.limit:
                    self._failure = outage_error(down_for, self._policy.limit, cause)
                    break
                await asyncio.sleep(min(retry_delay(attempt), self._policy.limit - down_for))
                attempt += 1
                try:
                    await self._reopen()
                except DatabaseUnavailableError as error:
                    cause = self._cause = error
                    log.debug("database still unavailable: %s", error)
                    continue
                self._back_after = self._clock() - self._down_since
                self._opened_at = self._clock()
                break
        except Exception as error:  # a bug in reopen: the waiting calls must not hang
            self._failure = error
        self._down_since = None
        self._open.set()
        self._report_back()

    def _report_back(self, *, force: bool = False) -> None:
        if self._back_after is None or not (force or (self.is_open and not self._kept)):
            return
        log.warning(back_line(self._back_after, self._written))
        self._back_after = None
        self._written = 0
        self._kept.clear()


class OutageRider:
    """``DatabaseGate`` for synchronous code: the failed call itself is retried."""

    def __init__(
        self,
        policy: OutagePolicy,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._sleep = sleep

    def call(self, attempt: Callable[[], T], *, pages: int = 0) -> T:
        """``attempt()``, retried through an outage; ``pages``: what it writes, for the log."""
        down_since: float | None = None
        retries = 0
        while True:
            try:
                result = attempt()
            except DatabaseUnavailableError as error:
                if not self._policy.rides_out(error):
                    raise
                now = self._clock()
                if down_since is None:
                    down_since = now
                    log.warning("%s, retrying: %s", down_line(error), error)
                down_for = now - down_since
                if down_for >= self._policy.limit:
                    raise outage_error(down_for, self._policy.limit, error) from error
                self._sleep(min(retry_delay(retries), self._policy.limit - down_for))
                retries += 1
                continue
            if down_since is not None:
                log.warning(back_line(self._clock() - down_since, pages))
            return result


def down_line(error: DatabaseUnavailableError) -> str:
    state = "locked" if isinstance(error, DatabaseLockedError) else "unreachable"
    return f"database {state} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"


def back_line(seconds: float, pages: int) -> str:
    return f"database back after {seconds:.0f} s; {pages} page{'' if pages == 1 else 's'} written"


def outage_error(
    down_for: float, limit: float, cause: DatabaseUnavailableError
) -> DatabaseOutageError:
    return DatabaseOutageError(
        f"database unavailable for {down_for:.0f} s, past the limit of {limit:g} s "
        f"(--db-outage-limit): {cause}"
    )
