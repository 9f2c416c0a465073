"""Crawl health: has a host drifted from its own history? (``scrape health``, ``scrape report``)

Pure functions over frozen records: ``scraper.outputs.health_history`` reads the records
from the database. Each host is compared with itself, never with other hosts,
on these signals of its fetches, oldest first:

* ``empty``: of the pages fetched fine, the share where the cleaner found no text;
* ``consent_or_challenge``: of the same pages, the share that was a consent wall or a
  bot challenge;
* ``failed:KIND``: of all fetches, the share that failed with error kind KIND (an HTTP
  error is ``failed:http_STATUS``);
* ``boilerplate``: of the pages with text, the share that was mostly (half or more of
  its paragraphs) the host's learned boilerplate;
* ``median_words``: of the pages with text, the share much shorter (under half the
  median before) or much longer (over 2.5 times) than usual.

Each signal is a sequence of good and bad observations. A drift is a recent stretch,
running to the host's latest fetch, where bad ones became common. The stretch starts
at the change point that best splits the sequence in two (the split of highest
likelihood with one bad rate before and another after), and is a drift when

* it holds ``min_recent`` observations, after at least ``min_baseline`` before it;
* half of it is bad (``min_share``), 30 points more than before (``min_rise``), and so
  is half of its last ``min_recent`` observations: a host that recovered is healthy;
* chance cannot explain it: at the rate before the change, a stretch that bad has a
  probability under ``exp(-evidence)`` = 1e-5 (Chernoff's bound). The rate before is
  taken at its upper confidence bound (Wilson, ``baseline_z``), so a short or a clean
  history asks for more evidence instead of passing for a zero rate;
* for failures the crawl retries (timeouts, refused connections, 5xx), it also lasts
  ``transient_persistence`` (a day), and holds ``min_recent_failures`` fetches: a slow
  day, or a host that is down for one run, is not a drift.

The numbers come from simulated news hosts noisier than most (tests/test_health.py),
checked after every cron run as cron would: none of the test's 150 is ever flagged, and
one of 600 was, once, over 29,000 checks. A template change that empties five pages of
one run is flagged after that run on a host whose pages were rarely empty before; a
host where one page in eight already was needs about eight. A host with fewer than
``min_baseline + min_recent`` fetches is "new"; one not fetched for ``idle_after`` is
"idle". Neither is judged.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from statistics import fmean, median
from typing import Any

from cleaners import Reason
from scraper.errors import FetchErrorKind, is_retryable

HEALTHY = "healthy"
DRIFTING = "drifting"
NEW = "new"
IDLE = "idle"

EMPTY = "empty"
CONSENT_OR_CHALLENGE = "consent_or_challenge"
BOILERPLATE = "boilerplate"
MEDIAN_WORDS = "median_words"
FAILED_PREFIX = "failed:"

_WALLS = frozenset({Reason.CONSENT_WALL, Reason.BLOCKED})


@dataclass(frozen=True, slots=True)
class Fetch:
    """What health reads of one row of ``fetches``."""

    at: datetime
    error_kind: str | None = None  # None: fetched, and the cleaner found text
    status: int | None = None  # the HTTP status
    reason: str | None = None  # the cleaner's reason for an empty page (``cleaners.Reason``)
    words: int | None = None  # the article's word count, for a page with text
    boilerplate_share: float | None = None  # of its paragraphs, the share learned boilerplate

    @property
    def extracted(self) -> bool:
        """Fetched fine and handed to the cleaner, whatever it found."""
        return self.error_kind is None or self.error_kind == FetchErrorKind.EMPTY


@dataclass(frozen=True, slots=True)
class HostHistory:
    """One host's latest fetches, oldest first."""

    host: str
    fetches: tuple[Fetch, ...]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a change is a drift; the defaults are explained in the module docstring."""

    min_baseline: int = 20
    min_recent: int = 5
    min_recent_failures: int = 10
    # Failures the crawl retries (timeouts, refused connections, 5xx): a slow day is not a drift.
    transient_persistence: timedelta = timedelta(days=1)
    min_share: float = 0.5
    min_rise: float = 0.3
    evidence: float = -math.log(1e-5)  # nats
    baseline_z: float = 1.5  # the baseline rate taken is Wilson's upper bound at this z
    short_ratio: float = 0.5
    long_ratio: float = 2.5
    mostly_boilerplate: float = 0.5
    idle_after: timedelta = timedelta(days=7)


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Drift:
    """One signal of one host that changed: its recent and baseline values, and since when.

    ``recent`` and ``baseline`` are shares (0 to 1), except for ``median_words``
    (medians, in words) and ``boilerplate`` (the mean share of learned boilerplate).
    """

    signal: str
    recent: float
    baseline: float
    recent_count: int  # observations since the change
    baseline_count: int  # observations before it
    since: datetime
    evidence: float  # nats: -log of the bound on the chance of so bad a stretch

    def describe(self) -> str:
        """``signal recent (n) vs baseline (m), since …``, for one line of text."""
        if self.signal == MEDIAN_WORDS:
            recent, baseline = f"{self.recent:.0f}", f"{self.baseline:.0f}"
        else:
            recent, baseline = f"{self.recent:.0%}", f"{self.baseline:.0%}"
        return (
            f"{self.signal} {recent} of {self.recent_count} recent vs {baseline} of "
            f"{self.baseline_count} before, since {self.since:%Y-%m-%d %H:%M} UTC"
        )


@dataclass(frozen=True, slots=True)
class HostHealth:
    host: str
    status: str  # HEALTHY, DRIFTING, NEW or IDLE
    fetches: int  # in the history read
    last_fetch: datetime | None
    drifts: tuple[Drift, ...] = ()


def assess_hosts(
    histories: Iterable[HostHistory],
    now: datetime | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> tuple[HostHealth, ...]:
    """Every host's health, drifting hosts first, then by name.

    ``now`` (default: the latest fetch of any host) decides which hosts are idle;
    reading it from the data keeps a stopped crawl from turning every host idle.
    """
    histories = list(histories)
    if now is None:
        lasts = [history.fetches[-1].at for history in histories if history.fetches]
        now = max(lasts, default=None)
    assessed = [assess_host(history, now, thresholds) for history in histories]
    return tuple(sorted(assessed, key=lambda h: (h.status != DRIFTING, h.host)))


def assess_host(
    history: HostHistory, now: datetime | None, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> HostHealth:
    """One host's status and, when it drifted, every signal that did."""
    fetches = history.fetches
    last = fetches[-1].at if fetches else None
    if last is None or len(fetches) < thresholds.min_baseline + thresholds.min_recent:
        return HostHealth(history.host, NEW, len(fetches), last)
    if now is not None and now - last > thresholds.idle_after:
        return HostHealth(history.host, IDLE, len(fetches), last)
    drifts = tuple(_drifts(fetches, thresholds))
    return HostHealth(history.host, DRIFTING if drifts else HEALTHY, len(fetches), last, drifts)


def _drifts(fetches: Sequence[Fetch], t: Thresholds) -> Iterator[Drift]:
    extracted = [f for f in fetches if f.extracted]
    texts = [f for f in fetches if f.words is not None]
    shares = [f for f in fetches if f.boilerplate_share is not None]
    # (signal, the fetches it observes, which are bad, recent observations needed,
    #  how long the stretch must last)
    binary = [
        (
            CONSENT_OR_CHALLENGE,
            extracted,
            [f.reason in _WALLS for f in extracted],
            t.min_recent,
            timedelta(0),
        ),
        (
            EMPTY,
            extracted,
            [f.error_kind == FetchErrorKind.EMPTY for f in extracted],
            t.min_recent,
            timedelta(0),
        ),
        (
            BOILERPLATE,
            shares,
            [(f.boilerplate_share or 0.0) >= t.mostly_boilerplate for f in shares],
            t.min_recent,
            timedelta(0),
        ),
    ]
    failures = {_failure(f): f for f in fetches}
    failures.pop(None, None)
    for failure, example in sorted(failures.items()):
        binary.append(
            (
                f"{FAILED_PREFIX}{failure}",
                fetches,
                [_failure(f) == failure for f in fetches],
                t.min_recent_failures,
                t.transient_persistence
                if is_retryable(example.error_kind, example.status)
                else timedelta(0),
            )
        )
    for signal, observed, bad, min_recent, persistence in binary:
        split = _best_split(_binary_splits(bad, t, min_recent), t)
        if split is not None and observed[-1].at - observed[split.start].at >= persistence:
            yield _drift(signal, observed, split, t)
    words = [f.words or 0 for f in texts]
    for ratio in (t.short_ratio, t.long_ratio):
        split = _best_split(_relative_splits(words, ratio, t), t)
        if split is not None:
            yield _drift(MEDIAN_WORDS, texts, split, t)


@dataclass(frozen=True, slots=True)
class _Split:
    """A candidate change point: bad counts before (``b`` of ``m``) and since (``r`` of ``n``)."""

    start: int
    b: int
    m: int
    r: int
    n: int
    current: bool  # half of the last ``min_recent`` observations are bad too

    def log_likelihood(self) -> float:
        """Of the sequence, with one bad rate before ``start`` and another since."""
        return _bernoulli_ll(self.b, self.m) + _bernoulli_ll(self.r, self.n)

    def evidence(self, z: float) -> float:
        """n * KL(recent share || baseline rate, its upper bound): Chernoff's bound, in nats."""
        q = self.r / self.n
        p = _upper_rate(self.b, self.m, z)
        return self.n * _kl(q, p) if q > p else 0.0


def _best_split(splits: Iterable[_Split], t: Thresholds) -> _Split | None:
    """The most likely change point among those large and new enough; None if not a drift."""
    candidates = [
        s for s in splits if s.r / s.n >= t.min_share and s.r / s.n - s.b / s.m >= t.min_rise
    ]
    if not candidates:
        return None
    best = max(candidates, key=lambda s: (s.log_likelihood(), -s.start))
    return best if best.current and best.evidence(t.baseline_z) >= t.evidence else None


def _binary_splits(bad: Sequence[bool], t: Thresholds, min_recent: int) -> Iterator[_Split]:
    """Every change point of a good/bad sequence where a bad observation starts the stretch."""
    total = len(bad)
    tail = bad[-min_recent:]
    current = len(tail) == min_recent and sum(tail) >= t.min_share * min_recent
    before = [0]
    for value in bad:
        before.append(before[-1] + value)
    for start in range(t.min_baseline, total - min_recent + 1):
        if bad[start]:
            b = before[start]
            yield _Split(start, b, start, before[total] - b, total - start, current)


def _relative_splits(values: Sequence[int], ratio: float, t: Thresholds) -> Iterator[_Split]:
    """Change points where values became ``ratio`` times the median before, or beyond.

    A value is bad when it is under ``ratio`` times the median of the values
    before the change point (``ratio`` < 1), or over it (``ratio`` > 1).
    """
    total = len(values)
    if total < t.min_baseline + t.min_recent:
        return
    before = sorted(values[: t.min_baseline])
    since = sorted(values[t.min_baseline :])
    for start in range(t.min_baseline, total - t.min_recent + 1):
        if start > t.min_baseline:
            moved = values[start - 1]
            insort(before, moved)
            del since[bisect_left(since, moved)]
        bound = ratio * _median_of_sorted(before)
        if ratio < 1:
            b, r = bisect_left(before, bound), bisect_left(since, bound)
            bad = [value < bound for value in (values[start], *values[-t.min_recent :])]
        else:
            b = len(before) - bisect_right(before, bound)
            r = len(since) - bisect_right(since, bound)
            bad = [value > bound for value in (values[start], *values[-t.min_recent :])]
        if not bad[0]:
            continue
        current = sum(bad[1:]) >= t.min_share * t.min_recent
        yield _Split(start, b, start, r, total - start, current)


def _failure(fetch: Fetch) -> str | None:
    """The failure a fetch counts toward: its error kind, with the status for HTTP errors."""
    if fetch.error_kind is None or fetch.error_kind == FetchErrorKind.EMPTY:
        return None
    if fetch.error_kind == FetchErrorKind.HTTP_STATUS and fetch.status is not None:
        return f"http_{fetch.status}"
    return fetch.error_kind


def _median_of_sorted(values: Sequence[int]) -> float:
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _drift(signal: str, observed: Sequence[Fetch], split: _Split, t: Thresholds) -> Drift:
    before, since = observed[: split.start], observed[split.start :]
    if signal == MEDIAN_WORDS:
        recent = median(f.words or 0 for f in since)
        baseline = median(f.words or 0 for f in before)
    elif signal == BOILERPLATE:
        recent = fmean(f.boilerplate_share or 0.0 for f in since)
        baseline = fmean(f.boilerplate_share or 0.0 for f in before)
    else:
        recent, baseline = split.r / split.n, split.b / split.m
    return Drift(
        signal=signal,
        recent=recent,
        baseline=baseline,
        recent_count=split.n,
        baseline_count=split.m,
        since=since[0].at,
        evidence=split.evidence(t.baseline_z),
    )


def _upper_rate(bad: int, count: int, z: float) -> float:
    """Wilson's upper confidence bound of the bad rate: a short history is not a clean one."""
    rate = bad / count
    spread = z * math.sqrt(rate * (1 - rate) / count + z * z / (4 * count * count))
    return (rate + z * z / (2 * count) + spread) / (1 + z * z / count)


def _bernoulli_ll(bad: int, count: int) -> float:
    """The log-likelihood of ``bad`` of ``count`` at their own rate (0 log 0 = 0)."""
    return sum(k * math.log(k / count) for k in (bad, count - bad) if k)


def _kl(q: float, p: float) -> float:
    """Kullback-Leibler divergence of Bernoulli(q) from Bernoulli(p), 0 < p < 1."""
    return sum(a * math.log(a / b) for a, b in ((q, p), (1 - q, 1 - p)) if a)


def health_lines(hosts: Sequence[HostHealth]) -> list[str]:
    """One line per drifted host (its signals, recent vs before, since when), then a tally."""
    lines = [
        f"{host.host}  " + "; ".join(drift.describe() for drift in host.drifts)
        for host in hosts
        if host.status == DRIFTING
    ]
    tally = Counter(host.status for host in hosts)
    counts = ", ".join(f"{tally[status]} {status}" for status in (DRIFTING, HEALTHY, NEW, IDLE))
    lines.append(f"health: {counts} ({len(hosts)} hosts)")
    return lines


def health_record(hosts: Sequence[HostHealth]) -> dict[str, Any]:
    """The health of every host as plain JSON values (times in ISO 8601)."""
    return {
        "drifting": sum(host.status == DRIFTING for host in hosts),
        "hosts": [
            {
                "host": host.host,
                "status": host.status,
                "fetches": host.fetches,
                "last_fetch": host.last_fetch.isoformat() if host.last_fetch else None,
                "drifts": [
                    {**asdict(drift), "since": drift.since.isoformat()} for drift in host.drifts
                ],
            }
            for host in hosts
        ],
    }
