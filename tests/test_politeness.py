"""robots.txt answers, per-host pacing, Retry-After, pauses and backoff, on a fake clock."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, TypeVar

import pytest

from scraper.crawl.politeness import (
    MAX_CRAWL_DELAY,
    MAX_RETRY_AFTER,
    ROBOTS_CACHE_SECONDS,
    ROBOTS_MAX_BYTES,
    ROBOTS_UNAVAILABLE_SECONDS,
    HostPacer,
    backoff_delay,
    parse_retry_after,
    robots_rules,
)
from scraper.errors import FetchErrorKind, is_retryable

T = TypeVar("T")
UA = "newsclean/0.1 (+https://example.org)"


class FakeTime:
    """A clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


ROBOTS = b"""User-agent: *
Disallow: /private/
Allow: /private/public-note
Crawl-delay: 3

User-agent: otherbot
Disallow: /
"""


def test_robots_rules_from_a_200() -> None:
    rules = robots_rules(200, ROBOTS, now=0.0)
    assert rules.allows("http://h/2025/a/", UA)
    assert not rules.allows("http://h/private/draft", UA)
    assert rules.allows("http://h/private/public-note", UA)  # longest match wins (RFC 9309)
    assert not rules.allows("http://h/2025/a/", "otherbot")
    assert rules.crawl_delay(UA) == 3.0
    assert rules.expires_at == ROBOTS_CACHE_SECONDS


@pytest.mark.parametrize("status", [401, 403, 404, 410])
def test_a_4xx_robots_allows_everything(status: int) -> None:
    rules = robots_rules(status, b"", now=0.0)
    assert rules.allows("http://h/private/x", UA)
    assert not rules.unavailable


@pytest.mark.parametrize("status", [None, 429, 500, 503])
def test_a_5xx_or_no_answer_disallows_for_now(status: int | None) -> None:
    rules = robots_rules(status, None, now=50.0)
    assert rules.unavailable
    assert not rules.allows("http://h/", UA)
    assert rules.expires_at == 50.0 + ROBOTS_UNAVAILABLE_SECONDS


def test_robots_body_is_read_up_to_500_kib_only() -> None:
    filler = b"# " + b"x" * ROBOTS_MAX_BYTES + b"\n"
    rules = robots_rules(200, filler + b"User-agent: *\nDisallow: /\n", now=0.0)
    assert rules.allows("http://h/page", UA)  # the Disallow lies beyond the limit


def test_retry_after_in_seconds_and_as_a_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now) == pytest.approx(90.0)
    assert parse_retry_after("999999") == MAX_RETRY_AFTER
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_what_is_worth_a_retry() -> None:
    assert is_retryable(FetchErrorKind.TIMEOUT, None)
    assert is_retryable(FetchErrorKind.CONNECT_ERROR, None)
    assert is_retryable(FetchErrorKind.READ_ERROR, None)
    for status in (408, 429, 500, 502, 503, 504):
        assert is_retryable(FetchErrorKind.HTTP_STATUS, status)
    for status in (404, 410, 403):
        assert not is_retryable(FetchErrorKind.HTTP_STATUS, status)
    assert not is_retryable(FetchErrorKind.NOT_HTML, None)
    assert not is_retryable(FetchErrorKind.ROBOTS, None)


def test_backoff_grows_and_keeps_jitter_within_the_step() -> None:
    low = [backoff_delay(n, base=10, cap=1000, rng=lambda: 0.0) for n in range(1, 6)]
    high = [backoff_delay(n, base=10, cap=1000, rng=lambda: 1.0) for n in range(1, 6)]
    assert low == [5, 10, 20, 40, 80]
    assert high == [10, 20, 40, 80, 160]
    assert backoff_delay(30, base=10, cap=1000, rng=lambda: 1.0) == 1000


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def test_requests_to_one_host_are_spaced_by_the_delay() -> None:
    fake = FakeTime()
    pacer = HostPacer(default_delay=2.0, clock=fake.clock, sleep=fake.sleep)
    starts: list[float] = []

    async def crawl() -> None:
        for _ in range(3):
            async with pacer.turn("a.example"):
                starts.append(fake.now)
                fake.now += 0.5  # the request itself takes time
        async with pacer.turn("b.example"):  # another host does not wait
            starts.append(fake.now)

    run(crawl())
    assert starts == [1000.0, 1002.5, 1005.0, 1005.5]
    assert fake.sleeps == [2.0, 2.0]


def test_one_request_in_flight_per_host() -> None:
    pacer = HostPacer(default_delay=0.0)
    inside = 0
    most = 0

    async def one() -> None:
        nonlocal inside, most
        async with pacer.turn("a.example"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.01)
            inside -= 1

    async def many() -> None:
        await asyncio.gather(*(one() for _ in range(5)))

    run(many())
    assert most == 1


def test_crawl_delay_is_honoured_but_capped() -> None:
    pacer = HostPacer(default_delay=1.0)
    pacer.apply_crawl_delay("a", 5.0)
    pacer.apply_crawl_delay("b", 10_000.0)
    pacer.apply_crawl_delay("c", 0.1)  # never below our own delay
    pacer.apply_crawl_delay("d", None)
    assert pacer.delay_of("a") == 5.0
    assert pacer.delay_of("b") == MAX_CRAWL_DELAY
    assert pacer.delay_of("c") == 1.0
    assert pacer.delay_of("d") == 1.0


def test_retry_after_defers_the_next_request() -> None:
    fake = FakeTime()
    pacer = HostPacer(default_delay=1.0, clock=fake.clock, sleep=fake.sleep)

    async def crawl() -> float:
        async with pacer.turn("a"):
            pacer.defer("a", 60.0)
        async with pacer.turn("a"):
            return fake.now

    assert run(crawl()) == pytest.approx(1060.0)


def test_a_host_is_paused_after_k_consecutive_errors() -> None:
    pacer = HostPacer(default_delay=0.0, error_limit=3)
    pacer.record_error("a")
    pacer.record_error("a")
    pacer.record_success("a")  # a success in between resets the count
    pacer.record_error("a")
    pacer.record_error("a")
    assert not pacer.is_paused("a")
    pacer.record_error("a")
    assert pacer.is_paused("a")
    assert pacer.paused_hosts() == {"a"}
