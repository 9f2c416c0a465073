"""Drift detection (``scraper.outputs.health``) on host histories the test writes fetch by fetch.

False alarms are tested as hard as misses: hundreds of simulated hosts with the
ordinary variation of news sites (short briefs, long reads, a 404, a few timeouts,
an empty page now and then, a quiet day) must all stay healthy, and the same hosts
with a change in their last run must all be flagged, on the right signal.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cleaners import Reason
from scraper.errors import FetchErrorKind
from scraper.outputs.health import (
    BOILERPLATE,
    CONSENT_OR_CHALLENGE,
    DRIFTING,
    EMPTY,
    HEALTHY,
    IDLE,
    MEDIAN_WORDS,
    NEW,
    Fetch,
    HostHistory,
    assess_host,
    assess_hosts,
)

START = datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
RUN_EVERY = timedelta(minutes=20)


def ok(words: int = 500, boilerplate: float = 0.0) -> Fetch:
    return Fetch(START, words=words, boilerplate_share=boilerplate)


def empty(reason: str = Reason.NO_CONTENT) -> Fetch:
    return Fetch(START, error_kind=FetchErrorKind.EMPTY, reason=reason)


def failed(kind: str, status: int | None = None) -> Fetch:
    return Fetch(START, error_kind=kind, status=status)


def http_error(status: int) -> Fetch:
    return failed(FetchErrorKind.HTTP_STATUS, status)


def history(*runs: list[Fetch], host: str = "a.example") -> HostHistory:
    """Each list is one cron run, 20 minutes after the one before; a fetch a second within it."""
    fetches = [
        replace(fetch, at=START + number * RUN_EVERY + timedelta(seconds=position))
        for number, run in enumerate(runs)
        for position, fetch in enumerate(run)
    ]
    return HostHistory(host, tuple(fetches))


def assess(*runs: list[Fetch]) -> tuple[str, dict[str, object]]:
    health = assess_host(history(*runs), None)
    return health.status, {drift.signal: drift for drift in health.drifts}


def usual(count: int = 30) -> list[Fetch]:
    return [ok(400 + 13 * (n % 9)) for n in range(count)]


def test_a_template_change_is_flagged_after_one_run_and_says_since_when() -> None:
    status, drifts = assess(usual(), [empty() for _ in range(6)])

    assert status == DRIFTING
    assert set(drifts) == {EMPTY}
    drift = drifts[EMPTY]
    assert (drift.recent, drift.baseline) == (1.0, 0.0)
    assert (drift.recent_count, drift.baseline_count) == (6, 30)
    assert drift.since == START + RUN_EVERY  # the first empty page of the second run
    assert "empty 100% of 6 recent vs 0% of 30 before, since 2026-11-01 06:20 UTC" in (
        drift.describe()
    )


def test_since_is_the_change_not_an_earlier_odd_page() -> None:
    baseline = usual(40)
    baseline[25] = empty()  # an odd empty page well before the change
    _, drifts = assess(baseline, [empty() for _ in range(8)])
    assert drifts[EMPTY].since == START + RUN_EVERY


def test_a_host_with_little_history_is_new_not_drifting() -> None:
    status, drifts = assess(usual(10), [empty() for _ in range(8)])
    assert (status, drifts) == (NEW, {})


def test_a_host_not_fetched_for_a_week_is_idle() -> None:
    stale = history(usual(), [empty() for _ in range(8)])
    health = assess_host(stale, stale.fetches[-1].at + timedelta(days=8))
    assert (health.status, health.drifts) == (IDLE, ())


def test_a_host_that_recovered_is_healthy() -> None:
    status, _ = assess(usual(), [empty() for _ in range(8)], usual(6))
    assert status == HEALTHY


def test_truncated_text_is_a_drop_of_the_median_words() -> None:
    status, drifts = assess(usual(), [ok(60 + n) for n in range(6)])
    assert status == DRIFTING
    drift = drifts[MEDIAN_WORDS]
    assert drift.recent == pytest.approx(62.5)
    assert drift.baseline == pytest.approx(445.5)


def test_menus_and_comments_in_the_text_are_a_rise_of_the_median_words() -> None:
    _, drifts = assess(usual(), [ok(2500 + n) for n in range(6)])
    assert set(drifts) == {MEDIAN_WORDS}
    assert drifts[MEDIAN_WORDS].recent > 2000


@pytest.mark.parametrize("reason", [Reason.CONSENT_WALL, Reason.BLOCKED])
def test_a_consent_wall_or_challenge_is_named(reason: str) -> None:
    _, drifts = assess(usual(), [empty(reason) for _ in range(6)])
    assert set(drifts) == {CONSENT_OR_CHALLENGE, EMPTY}


def test_pages_that_became_learned_boilerplate() -> None:
    baseline = [ok(400, boilerplate=0.1 * (n % 3)) for n in range(30)]
    _, drifts = assess(baseline, [ok(150, boilerplate=0.8) for _ in range(6)])
    assert drifts[BOILERPLATE].recent == pytest.approx(0.8)
    assert drifts[BOILERPLATE].baseline == pytest.approx(0.1)


def test_a_host_that_refuses_the_crawler_is_flagged_after_ten_refusals() -> None:
    forbidden = [http_error(403) for _ in range(6)]
    status, drifts = assess(usual(), forbidden)
    assert status == HEALTHY  # six refusals: not enough yet
    status, drifts = assess(usual(), forbidden, forbidden)
    assert (status, set(drifts)) == (DRIFTING, {"failed:http_403"})


def test_failures_the_crawl_retries_are_a_drift_only_after_a_day() -> None:
    down = [failed(FetchErrorKind.CONNECT_ERROR) for _ in range(5)]  # paused after five
    a_morning = [down] * 18  # six hours of runs every 20 minutes
    assert assess(usual(), *a_morning)[0] == HEALTHY
    status, drifts = assess(usual(), *a_morning * 5)  # thirty hours
    assert (status, set(drifts)) == (DRIFTING, {"failed:connect_error"})
    unavailable = [http_error(503) for _ in range(5)]
    assert assess(usual(), *[unavailable] * 18)[0] == HEALTHY


def test_ordinary_variation_in_one_run_is_not_flagged() -> None:
    variations = {
        "a short article": [ok(400), ok(45), ok(420)],
        "a 404": [ok(400), http_error(404), ok(380)],
        "a quiet day": [ok(410)],
        "two empty pages of five": [ok(400), empty(), ok(430), empty(), ok(390)],
        "a few timeouts": [failed(FetchErrorKind.TIMEOUT) for _ in range(4)] + [ok(400)],
    }
    for name, run in variations.items():
        assert assess(usual(), run)[0] == HEALTHY, name


def news_host(rng: random.Random, count: int, noise: float = 1.0) -> list[Fetch]:
    """A healthy host: its own typical length and rates of empty pages and failures.

    At ``noise`` 1, up to one page in eight is empty, one in ten is a brief, one in
    six of the others is mostly learned boilerplate: noisier than most real hosts.
    At 0.1, about one page in a hundred is empty: a quiet host.
    """
    typical = rng.uniform(250, 900)
    empty_rate = rng.uniform(0.0, 0.12) * noise
    wall_rate = 0.01 * noise
    brief_rate = 0.1 * noise
    fetches: list[Fetch] = []
    while len(fetches) < count:
        roll = rng.random()
        if roll < empty_rate:
            fetches.append(empty(rng.choice([Reason.NO_CONTENT, Reason.EMPTY_DOCUMENT])))
        elif (roll := roll - empty_rate) < wall_rate:
            fetches.append(empty(Reason.CONSENT_WALL))
        elif (roll := roll - wall_rate) < 0.03:
            fetches.append(http_error(404))
        elif (roll := roll - 0.03) < 0.01:  # a slow spell: a few timeouts in a row
            fetches += [failed(FetchErrorKind.TIMEOUT)] * rng.randint(1, 4)
        elif roll - 0.01 < brief_rate:
            fetches.append(ok(rng.randint(40, 120)))
        else:
            words = int(typical * rng.lognormvariate(0, 0.45))
            share = 0.6 if rng.random() < 0.17 * noise else rng.choice([0.0, 0.1, 0.2])
            fetches.append(ok(words, boilerplate=share))
    return fetches


def runs_of(fetches: list[Fetch], rng: random.Random) -> list[list[Fetch]]:
    """Cut a host's fetches into cron runs of 0 to 8 pages (a quiet run fetches nothing)."""
    runs, position = [], 0
    while position < len(fetches):
        size = rng.randint(0, 8)
        runs.append(fetches[position : position + size])
        position += size
    return runs


def simulated(
    hosts: int,
    change: Callable[[random.Random], list[Fetch]] | None = None,
    *,
    noise: float = 1.0,
    history_sizes: tuple[int, int] = (25, 400),
) -> list[list[list[Fetch]]]:
    """The cron runs of ``hosts`` simulated hosts, with ``change`` as the last run if given."""
    rng = random.Random(20261204)
    simulated_hosts = []
    for _ in range(hosts):
        runs = runs_of(news_host(rng, rng.randint(*history_sizes), noise), rng)
        if change is not None:
            runs.append(change(rng))
        simulated_hosts.append(runs)
    return simulated_hosts


@pytest.mark.slow
def test_no_false_alarm_on_hosts_with_ordinary_variation_checked_after_every_run() -> None:
    """As cron runs it: every host checked after each of its runs, about 50 checks a host."""
    alarms, checks = [], 0
    for number, runs in enumerate(simulated(150)):
        fetches = history(*runs, host=f"host{number}.example").fetches
        ends = sorted({sum(len(run) for run in runs[: last + 1]) for last in range(len(runs))})
        for end in ends:
            checks += 1
            health = assess_host(HostHistory(f"host{number}.example", fetches[:end]), None)
            alarms += [f"{health.host} after {end} fetches: {d.describe()}" for d in health.drifts]
    assert checks > 5000
    assert alarms == []


def flagged(runs_of_hosts: list[list[list[Fetch]]], signal: str) -> tuple[int, list[str]]:
    """How many hosts were checked, and those where ``signal`` was missed."""
    histories = [history(*runs, host=f"host{n}.example") for n, runs in enumerate(runs_of_hosts)]
    assessed = assess_hosts(histories)
    return len(assessed), [h.host for h in assessed if signal not in {d.signal for d in h.drifts}]


@pytest.mark.parametrize(
    ("signal", "change"),
    [
        (EMPTY, lambda rng: [empty() for _ in range(5)]),
        (CONSENT_OR_CHALLENGE, lambda rng: [empty(Reason.BLOCKED)] * 5),
        (BOILERPLATE, lambda rng: [ok(200, boilerplate=0.7) for _ in range(5)]),
    ],
)
def test_a_change_in_five_pages_of_a_quiet_host_is_flagged_after_that_run(
    signal: str, change: Callable[[random.Random], list[Fetch]]
) -> None:
    checked, missed = flagged(simulated(300, change, noise=0.1, history_sizes=(60, 400)), signal)
    assert (checked, missed) == (300, [])


@pytest.mark.parametrize(
    ("signal", "change"),
    [
        (EMPTY, lambda rng: [empty() for _ in range(10)]),
        (CONSENT_OR_CHALLENGE, lambda rng: [empty(Reason.BLOCKED)] * 10),
        (MEDIAN_WORDS, lambda rng: [ok(rng.randint(5, 25)) for _ in range(12)]),
        (MEDIAN_WORDS, lambda rng: [ok(rng.randint(4000, 6000)) for _ in range(10)]),
    ],
)
def test_a_change_in_ten_pages_of_a_noisy_host_is_flagged_after_that_run(
    signal: str, change: Callable[[random.Random], list[Fetch]]
) -> None:
    checked, missed = flagged(simulated(300, change, history_sizes=(60, 400)), signal)
    assert (checked, missed) == (300, [])
