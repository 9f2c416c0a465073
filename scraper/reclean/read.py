"""Reading a reclean's work: the latest archived page of each selected article, in id order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Row, Select, func, select

from cleaners import Article
from scraper.reclean.clean import ArticleAsStored, RecleanJob
from scraper.storage.boilerplate import BoilerplateCache
from scraper.storage.models import ArticleRow, FetchRow, RawPageRow
from scraper.storage.outage import OutagePolicy, OutageRider
from scraper.storage.store import Store, site_condition
from scraper.storage.write import article_columns

READ_BATCH = 64  # pages read from the database at a time

_articles = ArticleRow.__table__
_fetches = FetchRow.__table__
_raw = RawPageRow.__table__
# The article's text and metadata, as the cleaner gives them.
_COLUMNS = tuple(article_columns(Article()))


@dataclass(frozen=True, slots=True)
class RecleanSelection:
    """Which articles to re-clean."""

    since: datetime | None = None  # first seen at or after
    site: str | None = None  # host, subdomains included
    stale_only: bool = False  # only articles made by another cleaner version

    def run_name(self, version: str) -> str:
        """The name recleaners share a PostgreSQL run by: the same command, the same run."""
        since = self.since.isoformat() if self.since is not None else "-"
        return f"{version} since={since} site={self.site or '-'} stale_only={self.stale_only}"


def iter_jobs(
    store: Store,
    selection: RecleanSelection,
    version: str,
    *,
    after: int = 0,
    through: int | None = None,
    rider: OutageRider | None = None,
) -> Iterator[RecleanJob]:
    """The latest archived page of each selected article with an id in (``after``, ``through``].

    Each read goes through ``rider``, so an outage is waited out instead of ending the run.
    """
    rider = rider or OutageRider(OutagePolicy())
    known = BoilerplateCache(store)
    conditions = _conditions(selection, version)
    if through is not None:
        conditions.append(_articles.c.id <= through)
    last_id = after
    while True:
        latest = (
            select(func.max(_fetches.c.id).label("fetch_id"))
            .select_from(_fetches.join(_raw, _raw.c.fetch_id == _fetches.c.id))
            .join(_articles, _articles.c.id == _fetches.c.article_id)
            .where(_articles.c.id > last_id, *conditions)
            .group_by(_fetches.c.article_id)
            .order_by(_fetches.c.article_id)
            .limit(READ_BATCH)
        )
        query = (
            select(
                _fetches.c.article_id,
                _articles.c.content_hash,
                *(_articles.c[name] for name in _COLUMNS),
                _fetches.c.final_url,
                _fetches.c.fetched_at,
                _raw.c.codec,
                _raw.c.body,
                _raw.c.headers,
            )
            .join(_raw, _raw.c.fetch_id == _fetches.c.id)
            .join(_articles, _articles.c.id == _fetches.c.article_id)
            .where(_fetches.c.id.in_(latest.scalar_subquery()))
            .order_by(_fetches.c.article_id)
        )
        rows = rider.call(partial(_read_all, store, query))
        if not rows:
            return
        for article_id, digest, *values in rows:
            stored = ArticleAsStored(article_id, digest, dict(zip(_COLUMNS, values, strict=False)))
            url, *page = values[len(_COLUMNS) :]
            hashes = frozenset() if url is None else rider.call(partial(known.for_url, url))
            yield RecleanJob(stored, url, *page, hashes)
        last_id = rows[-1].article_id


def _read_all(store: Store, query: Select[Any]) -> Sequence[Row[Any]]:
    with store.read() as conn:
        return conn.execute(query).all()


def _conditions(selection: RecleanSelection, version: str) -> list[Any]:
    conditions: list[Any] = []
    if selection.since is not None:
        conditions.append(_articles.c.first_seen >= selection.since)
    if selection.site is not None:
        conditions.append(site_condition(selection.site))
    if selection.stale_only:
        conditions.append(
            _articles.c.cleaner_version.is_(None) | (_articles.c.cleaner_version != version)
        )
    return conditions
