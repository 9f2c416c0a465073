"""``scrape stats``: what the database holds and how the fetching went, per host.

Articles are counted per site (host), per day (UTC day first seen) and per
language. Fetches give, per host, the failure rate by error kind and the share
of empty extractions: pages fetched fine whose cleaner found no text. A host
whose empty share jumps has most likely changed its template.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, Date, case, cast, func, select

from scraper.errors import FetchErrorKind
from scraper.storage.models import ArticleRow, FetchRow
from scraper.storage.store import Store

UNKNOWN = "unknown"  # the label of a missing host or language

_articles = ArticleRow.__table__
_fetches = FetchRow.__table__


@dataclass(frozen=True, slots=True)
class HostFetches:
    """The fetches of one host: how many, how many failed and why, how many came out empty."""

    host: str
    fetches: int
    failed: int
    failed_by_kind: tuple[tuple[str, int], ...]
    extracted: int  # pages fetched fine and handed to the cleaner
    empty: int  # of those, pages where the cleaner found no text

    @property
    def failure_rate(self) -> float:
        return self.failed / self.fetches if self.fetches else 0.0

    @property
    def empty_share(self) -> float:
        return self.empty / self.extracted if self.extracted else 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts, largest first (days in date order)."""

    articles: int
    by_site: tuple[tuple[str, int], ...]
    by_day: tuple[tuple[str, int], ...]
    by_language: tuple[tuple[str, int], ...]
    hosts: tuple[HostFetches, ...]


def collect_stats(store: Store, since: datetime | None = None) -> Stats:
    """Stats over articles first seen, and fetches made, at or after ``since``."""
    with store.read() as conn:
        article_filter = _articles.c.first_seen >= since if since is not None else None
        fetch_filter = _fetches.c.fetched_at >= since if since is not None else None
        by_site = _counts(conn, _articles.c.host, article_filter)
        return Stats(
            articles=sum(count for _, count in by_site),
            by_site=by_site,
            by_day=tuple(
                sorted(_counts(conn, utc_day(conn, _articles.c.first_seen), article_filter))
            ),
            by_language=_counts(conn, _articles.c.language, article_filter),
            hosts=_host_fetches(conn, fetch_filter),
        )


def _counts(
    conn: Connection, key: ColumnElement[object], where: ColumnElement[bool] | None
) -> tuple[tuple[str, int], ...]:
    query = select(key, func.count()).select_from(_articles).group_by(key)
    if where is not None:
        query = query.where(where)
    rows = conn.execute(query).all()
    counted = [(UNKNOWN if value is None else str(value), count) for value, count in rows]
    return tuple(sorted(counted, key=lambda pair: (-pair[1], pair[0])))


def utc_day(conn: Connection, moment: ColumnElement[datetime]) -> ColumnElement[object]:
    """The UTC day of a timestamp column; read back as a date or an ISO date string."""
    # SQLite stores timestamps as text, and CAST(... AS DATE) there gives a number.
    if conn.dialect.name == "sqlite":
        return func.date(moment)
    # PostgreSQL would cut the day in the session's time zone.
    return cast(func.timezone("UTC", moment), Date)


def _host_fetches(conn: Connection, where: ColumnElement[bool] | None) -> tuple[HostFetches, ...]:
    failed = _fetches.c.error_kind.is_not(None)
    empty = _fetches.c.error_kind == FetchErrorKind.EMPTY
    extracted = _fetches.c.error_kind.is_(None) | empty
    totals = select(
        _fetches.c.host,
        func.count(),
        func.sum(case((failed, 1), else_=0)),
        func.sum(case((extracted, 1), else_=0)),
        func.sum(case((empty, 1), else_=0)),
    ).group_by(_fetches.c.host)
    kinds = (
        select(_fetches.c.host, _fetches.c.error_kind, func.count())
        .where(failed)
        .group_by(_fetches.c.host, _fetches.c.error_kind)
    )
    if where is not None:
        totals, kinds = totals.where(where), kinds.where(where)
    by_kind: dict[str | None, list[tuple[str, int]]] = defaultdict(list)
    for host, kind, count in conn.execute(kinds):
        by_kind[host].append((kind, count))
    hosts = [
        HostFetches(
            host=host or UNKNOWN,
            fetches=fetches,
            failed=failures or 0,
            failed_by_kind=tuple(sorted(by_kind[host], key=lambda pair: (-pair[1], pair[0]))),
            extracted=pages or 0,
            empty=empties or 0,
        )
        for host, fetches, failures, pages, empties in conn.execute(totals)
    ]
    return tuple(sorted(hosts, key=lambda h: (-h.fetches, h.host)))
