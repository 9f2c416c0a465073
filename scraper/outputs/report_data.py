"""What ``scrape report`` shows, read from the database into frozen records.

Every figure is a grouped query that runs the same on SQLite and PostgreSQL,
except medians (SQLite has no median): word counts are streamed ordered by host
and day, one group in memory at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from statistics import median

from sqlalchemy import ColumnElement, Connection, case, func, select

from scraper.errors import FetchErrorKind
from scraper.outputs.health import DRIFTING, HostHealth, assess_hosts
from scraper.outputs.health_history import read_histories
from scraper.outputs.stats import UNKNOWN, HostFetches, Stats, collect_stats, utc_day
from scraper.storage.boilerplate import learned_counts
from scraper.storage.models import ArticleRow, FetchRow
from scraper.storage.store import Store

# A host is troubled, and listed among the first, when it drifted or when this share
# of its fetches failed or of its pages came out empty over the period.
TROUBLE_SHARE = 0.2
LARGEST_CLUSTERS = 20

_articles = ArticleRow.__table__
_fetches = FetchRow.__table__


@dataclass(frozen=True, slots=True)
class HostDay:
    """One host on one UTC day: pages extracted, how many empty, the median words of the rest."""

    day: str
    extracted: int
    empty: int
    median_words: float | None

    @property
    def empty_share(self) -> float:
        return self.empty / self.extracted if self.extracted else 0.0


@dataclass(frozen=True, slots=True)
class HostRow:
    """One host of the report's table, with its days for the small chart."""

    fetches: HostFetches
    median_words: float | None
    learned_paragraphs: int  # learned boilerplate the cleaner drops on its pages now
    last_success: datetime | None
    health: HostHealth | None
    days: tuple[HostDay, ...]

    @property
    def host(self) -> str:
        return self.fetches.host

    @property
    def drifting(self) -> bool:
        return self.health is not None and self.health.status == DRIFTING

    @property
    def troubled(self) -> bool:
        worst = max(self.fetches.failure_rate, self.fetches.empty_share)
        return self.drifting or worst >= TROUBLE_SHARE


@dataclass(frozen=True, slots=True)
class Cluster:
    """Near-duplicates: an article and the later ones that are near-copies of it."""

    article_id: int
    title: str | None
    host: str | None
    copies: int
    hosts: int  # distinct hosts among the article and its copies


@dataclass(frozen=True, slots=True)
class ReportData:
    database: str
    since: datetime | None
    generated_at: datetime
    stats: Stats
    articles_by_day: tuple[tuple[str, str, int], ...]  # (day, host, articles), days in order
    hosts: tuple[HostRow, ...]  # troubled first (drifting ones first of all), then busiest
    cluster_sizes: tuple[tuple[int, int], ...]  # (articles in a cluster, clusters that size)
    clusters: tuple[Cluster, ...]  # the largest, largest first


def collect_report(store: Store, since: datetime | None = None) -> ReportData:
    """Everything the report shows, over articles first seen and fetches made since ``since``.

    Health is always judged on each host's latest fetches, whatever ``since`` is.
    """
    stats = collect_stats(store, since)
    health = {host.host: host for host in assess_hosts(read_histories(store))}
    with store.read() as conn:
        days = _host_days(conn, since)
        learned = learned_counts(conn)
        last_success = _last_success(conn)
        rows = [
            HostRow(
                fetches=host,
                median_words=_median_of_days(days.get(host.host, ())),
                learned_paragraphs=learned.get(host.host, 0),
                last_success=last_success.get(host.host),
                health=health.get(host.host),
                days=tuple(day for day, _ in days.get(host.host, ())),
            )
            for host in stats.hosts
        ]
        sizes, clusters = _clusters(conn, since)
        return ReportData(
            database=store.name,
            since=since,
            generated_at=datetime.now(UTC),
            stats=stats,
            articles_by_day=_articles_by_day(conn, since),
            hosts=tuple(sorted(rows, key=_trouble_order)),
            cluster_sizes=sizes,
            clusters=clusters,
        )


def _trouble_order(row: HostRow) -> tuple[bool, bool, int, str]:
    return (not row.drifting, not row.troubled, -row.fetches.fetches, row.host)


def _since(column: ColumnElement[datetime], since: datetime | None) -> list[ColumnElement[bool]]:
    return [column >= since] if since is not None else []


def _articles_by_day(conn: Connection, since: datetime | None) -> tuple[tuple[str, str, int], ...]:
    day = utc_day(conn, _articles.c.first_seen)
    query = (
        select(day, _articles.c.host, func.count())
        .where(*_since(_articles.c.first_seen, since))
        .group_by(day, _articles.c.host)
    )
    rows = ((str(d), host or UNKNOWN, count) for d, host, count in conn.execute(query))
    return tuple(sorted(rows))


def _host_days(
    conn: Connection, since: datetime | None
) -> dict[str, list[tuple[HostDay, list[int]]]]:
    """Per host, its days in order, each with the word counts of its pages with text."""
    day = utc_day(conn, _fetches.c.fetched_at)
    empty = _fetches.c.error_kind == FetchErrorKind.EMPTY
    counts = (
        select(
            _fetches.c.host,
            day,
            func.count(),
            func.sum(case((empty, 1), else_=0)),
        )
        .where(_fetches.c.error_kind.is_(None) | empty, *_since(_fetches.c.fetched_at, since))
        .group_by(_fetches.c.host, day)
    )
    totals = {(host or UNKNOWN, str(d)): (n, e or 0) for host, d, n, e in conn.execute(counts)}
    words = (
        select(_fetches.c.host, day, _articles.c.word_count)
        .join(_articles, _articles.c.id == _fetches.c.article_id)
        .where(_fetches.c.error_kind.is_(None), *_since(_fetches.c.fetched_at, since))
        .order_by(_fetches.c.host, day)
    )
    by_day: dict[tuple[str, str], list[int]] = {}
    stream = conn.execution_options(yield_per=5000).execute(words)
    for (host, d), group in groupby(stream, key=lambda row: (row[0], row[1])):
        by_day[(host or UNKNOWN, str(d))] = [count for _, _, count in group]
    hosts: dict[str, list[tuple[HostDay, list[int]]]] = {}
    for (host, d), (extracted, empties) in sorted(totals.items()):
        counts_of_day = by_day.get((host, d), [])
        middle = median(counts_of_day) if counts_of_day else None
        hosts.setdefault(host, []).append((HostDay(d, extracted, empties, middle), counts_of_day))
    return hosts


def _median_of_days(days: Iterable[tuple[HostDay, list[int]]]) -> float | None:
    counts = [count for _, day_counts in days for count in day_counts]
    return median(counts) if counts else None


def _last_success(conn: Connection) -> dict[str, datetime]:
    query = (
        select(_fetches.c.host, func.max(_fetches.c.fetched_at))
        .where(_fetches.c.error_kind.is_(None))
        .group_by(_fetches.c.host)
    )
    return {host or UNKNOWN: _aware(moment) for host, moment in conn.execute(query)}


def _aware(moment: datetime | str) -> datetime:
    # max() loses the column type: SQLite gives back the stored text, without an offset.
    value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _clusters(
    conn: Connection, since: datetime | None
) -> tuple[tuple[tuple[int, int], ...], tuple[Cluster, ...]]:
    copies = func.count().label("copies")
    query = (
        select(_articles.c.duplicate_of, copies)
        .where(_articles.c.duplicate_of.is_not(None), *_since(_articles.c.first_seen, since))
        .group_by(_articles.c.duplicate_of)
    )
    groups = conn.execute(query).all()
    sizes = Counter(count + 1 for _, count in groups)
    largest = sorted(groups, key=lambda row: (-row[1], row[0]))[:LARGEST_CLUSTERS]
    return tuple(sorted(sizes.items())), tuple(_describe_clusters(conn, largest))


def _describe_clusters(conn: Connection, largest: list[tuple[int, int]]) -> Iterator[Cluster]:
    ids = [article_id for article_id, _ in largest]
    if not ids:
        return
    originals = {
        row.id: row
        for row in conn.execute(
            select(_articles.c.id, _articles.c.title, _articles.c.host).where(
                _articles.c.id.in_(ids)
            )
        )
    }
    cluster = case((_articles.c.id.in_(ids), _articles.c.id), else_=_articles.c.duplicate_of)
    member_hosts = (
        select(cluster, func.count(func.distinct(_articles.c.host)))
        .where(_articles.c.id.in_(ids) | _articles.c.duplicate_of.in_(ids))
        .group_by(cluster)
    )
    spread: dict[int, int] = {cluster_id: hosts for cluster_id, hosts in conn.execute(member_hosts)}
    for article_id, count in largest:
        original = originals.get(article_id)
        yield Cluster(
            article_id=article_id,
            title=original.title if original is not None else None,
            host=original.host if original is not None else None,
            copies=count,
            hosts=spread.get(article_id, 0),
        )
