"""How the crawl treats hosts: robots.txt rules, per-host pacing, retries.

Time is passed in (``clock`` for monotonic seconds, ``sleep`` for waiting) so
tests can drive the pacing without real waits, and the same object works in a
long-lived worker.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from protego import Protego

ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 2.5: parse at least 500 KiB, may ignore the rest
ROBOTS_CACHE_SECONDS = 24 * 3600  # RFC 9309 2.4: do not use a cached copy for more than 24 h
ROBOTS_UNAVAILABLE_SECONDS = 300.0  # after a 5xx or no answer: disallow, ask again later
MAX_CRAWL_DELAY = 30.0  # a site's Crawl-delay is honoured up to this many seconds
MAX_RETRY_AFTER = 3600.0  # a Retry-After further away than this is cut down to it
HOST_ERROR_LIMIT = 5  # consecutive errors before a host is left alone for the run

RETRY_BASE_SECONDS = 30.0
RETRY_MAX_SECONDS = 6 * 3600.0
MAX_ATTEMPTS = 4  # one try and three retries, then the URL is failed for good


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one host's robots.txt allows, and until when this answer may be used."""

    expires_at: float  # on the politeness clock
    parser: Protego | None = None  # None: no rules, see ``allow_all``
    allow_all: bool = True

    def allows(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return None if delay is None else float(delay)

    @property
    def unavailable(self) -> bool:
        """True when the host could not say (5xx, no answer): nothing is fetched for now."""
        return self.parser is None and not self.allow_all


def robots_rules(status: int | None, body: bytes | None, now: float) -> RobotsRules:
    """Turn the answer to ``GET /robots.txt`` into rules (RFC 9309 section 2.3.1).

    ``status`` is None when the server could not be reached or timed out.
    """
    if status is None or status >= 500 or status == 429:
        return RobotsRules(expires_at=now + ROBOTS_UNAVAILABLE_SECONDS, allow_all=False)
    if 400 <= status < 500:
        return RobotsRules(expires_at=now + ROBOTS_CACHE_SECONDS)
    text = (body or b"")[:ROBOTS_MAX_BYTES].decode("utf-8", "replace")
    return RobotsRules(expires_at=now + ROBOTS_CACHE_SECONDS, parser=Protego.parse(text))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def backoff_delay(
    attempts: int,
    *,
    base: float = RETRY_BASE_SECONDS,
    cap: float = RETRY_MAX_SECONDS,
    rng: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with jitter: half the step is fixed, half is random.

    The fixed half keeps retries from bunching at zero; the random half keeps
    many URLs that failed together from coming back together.
    """
    step = min(cap, base * 2 ** max(attempts - 1, 0))
    return step / 2 + rng() * step / 2


@dataclass(slots=True)
class _HostState:
    delay: float
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_allowed_at: float = 0.0
    consecutive_errors: int = 0
    paused: bool = False


class HostPacer:
    """Per-host timing for one run: one request in flight per host, a gap between them.

    The gap is counted from the end of one response to the start of the next
    request, so a server never sees two requests closer than the delay.
    """

    def __init__(
        self,
        *,
        default_delay: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
        error_limit: int = HOST_ERROR_LIMIT,
        max_crawl_delay: float = MAX_CRAWL_DELAY,
    ) -> None:
        self._default_delay = default_delay
        self._clock = clock
        self._sleep = sleep
        self._error_limit = error_limit
        self._max_crawl_delay = max_crawl_delay
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _HostState(delay=self._default_delay)
        return state

    def set_delay(self, host: str, delay: float) -> None:
        self._state(host).delay = delay

    def apply_crawl_delay(self, host: str, crawl_delay: float | None) -> None:
        """Honour a robots.txt Crawl-delay when it asks for more than our own delay."""
        if crawl_delay is not None:
            state = self._state(host)
            state.delay = max(state.delay, min(crawl_delay, self._max_crawl_delay))

    def delay_of(self, host: str) -> float:
        return self._state(host).delay

    def is_paused(self, host: str) -> bool:
        return self._state(host).paused

    def is_busy(self, host: str) -> bool:
        return self._state(host).lock.locked()

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        """Wait for the host's turn; the request is made inside the ``async with``."""
        state = self._state(host)
        async with state.lock:
            wait = state.next_allowed_at - self._clock()
            if wait > 0:
                await self._sleep(wait)
            try:
                yield
            finally:
                state.next_allowed_at = max(state.next_allowed_at, self._clock() + state.delay)

    def ready_in(self, host: str) -> float:
        """Seconds until ``host`` may get its next request (0 when it may now)."""
        return max(0.0, self._state(host).next_allowed_at - self._clock())

    def record_success(self, host: str) -> None:
        self._state(host).consecutive_errors = 0

    def record_error(self, host: str) -> None:
        """Count a host-level failure; after ``error_limit`` in a row the host is paused."""
        state = self._state(host)
        state.consecutive_errors += 1
        if state.consecutive_errors >= self._error_limit:
            state.paused = True

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` for ``seconds`` (a Retry-After)."""
        state = self._state(host)
        state.next_allowed_at = max(state.next_allowed_at, self._clock() + seconds)

    def paused_hosts(self) -> set[str]:
        return {host for host, state in self._hosts.items() if state.paused}
