"""Writing prepared saves: each article once, every URL that leads to it, the fetch log.

Dedup: an article is identified by ``cleaners.content_hash`` of its text. Saving
an article whose hash is known links the new URLs to the existing row and bumps
its ``last_seen``; it is not an error. Everything here runs in the caller's write
transaction (``Store.write``); ``scraper.storage.prepare`` did the CPU work before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Executable, bindparam, update

import cleaners
from cleaners import Article
from scraper.errors import FetchErrorKind
from scraper.records import FetchAttempt, SaveResult
from scraper.storage.archive import archive_pages
from scraper.storage.boilerplate import article_before_learning, learn_articles
from scraper.storage.database import dialect_insert
from scraper.storage.models import ArticleRow, ArticleUrlRow, Base, FetchRow
from scraper.storage.neardup import index_articles
from scraper.storage.prepare import PreparedSave, first_host

NEW = "new"
DUPLICATE = "duplicate"
FAILED = "failed"

_articles = Base.metadata.tables[ArticleRow.__tablename__]
_article_urls = Base.metadata.tables[ArticleUrlRow.__tablename__]
_fetches = Base.metadata.tables[FetchRow.__tablename__]


def write_saves(
    conn: Connection, prepared: Sequence[PreparedSave], now: datetime, near_threshold: float
) -> list[SaveResult]:
    """Write ``prepared`` targets in ``conn``'s transaction, in order.

    An article met twice is stored once: the later one is its duplicate. Articles
    are stored one after the other (each may be a copy of the one before); their
    near-duplicate index, boilerplate counts, fetch rows and raw pages follow,
    a few statements for the whole batch.
    """
    written = [_write_article(conn, item, now) for item in prepared]
    new = {
        result.article_id: item
        for item, (result, _) in zip(prepared, written, strict=True)
        if result.status == NEW and item.signature is not None
    }
    near_copies = index_articles(
        conn,
        {article_id: item.signature for article_id, item in new.items()},
        near_threshold,
    )
    learn_articles(
        conn,
        [
            (item.host, item.paragraphs)
            for article_id, item in new.items()
            if near_copies[article_id] is None and item.host is not None
        ],
        now,
    )
    fetch_rows = [
        _fetch_row(item.attempt, outcome, result.article_id, item.boilerplate_share)
        for item, (result, outcome) in zip(prepared, written, strict=True)
    ]
    fetch_ids = conn.execute(_INSERT_FETCHES, fetch_rows).scalars().all()
    archive_pages(
        conn,
        [
            (fetch_id, item.raw)
            for fetch_id, item in zip(fetch_ids, prepared, strict=True)
            if item.raw is not None
        ],
    )
    return [result for result, _ in written]


def article_columns(article: Article) -> dict[str, Any]:
    """The ``articles`` columns that come from the cleaner's Article (text and metadata)."""
    return {
        "text": article.text,
        "title": article.title,
        "authors": list(article.authors),
        "published": article.published,
        "modified": article.modified,
        "language": article.language,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site_name": article.site_name,
        "description": article.description,
        "section": article.section,
        "tags": list(article.tags),
        "image": article.image,
        "word_count": article.word_count,
    }


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: str
    error_kind: str | None = None
    error_message: str | None = None


def _write_article(
    conn: Connection, prepared: PreparedSave, now: datetime
) -> tuple[SaveResult, _Outcome]:
    """Insert the article of ``prepared``, or find the row it duplicates."""
    attempt, article, digest = prepared.attempt, prepared.article, prepared.digest
    if article is None or digest is None:
        return SaveResult(FAILED), _failure(attempt, article)
    keys = [key for key, _ in prepared.url_keys]
    article_id, status = _insert_or_touch_article(conn, article, digest, prepared.host, keys, now)
    _link_urls(conn, article_id, prepared.url_keys, now)
    return SaveResult(status, article_id, digest), _Outcome(status)


def _failure(attempt: FetchAttempt, article: Article | None) -> _Outcome:
    if attempt.error_kind is not None:
        return _Outcome(FAILED, attempt.error_kind, attempt.error_message)
    reason = article.reason if article is not None else None
    return _Outcome(FAILED, FetchErrorKind.EMPTY, reason or "no article text")


def _insert_or_touch_article(
    conn: Connection,
    article: Article,
    digest: str,
    host: str | None,
    url_keys: Sequence[str],
    now: datetime,
) -> tuple[int, str]:
    """Insert the article, or find the row a concurrent or earlier save stored.

    An earlier save of the same page, made before some of its paragraphs were learned
    as boilerplate, is the same article too.
    """
    earlier = article_before_learning(conn, url_keys, article, digest)
    if earlier is not None:
        conn.execute(_TOUCH_BY_ID, {"article_id": earlier, "now": now})
        return earlier, DUPLICATE
    values = {
        **article_columns(article),
        "content_hash": digest,
        "host": host,
        "first_seen": now,
        "last_seen": now,
        "cleaner_version": cleaners.__version__,
    }
    new_id = conn.execute(_inserts(conn.dialect.name).article, values).scalar_one_or_none()
    if new_id is not None:
        return new_id, NEW
    return conn.execute(_TOUCH_BY_HASH, {"digest": digest, "now": now}).scalar_one(), DUPLICATE


def _link_urls(
    conn: Connection, article_id: int, url_keys: Sequence[tuple[str, str]], now: datetime
) -> None:
    """Link every URL key to the article; a key linked elsewhere keeps its old link."""
    if url_keys:
        rows = [
            {"url": key, "article_id": article_id, "kind": kind, "first_seen": now}
            for key, kind in url_keys
        ]
        conn.execute(_inserts(conn.dialect.name).article_url, rows)


def _fetch_row(
    attempt: FetchAttempt,
    outcome: _Outcome,
    article_id: int | None,
    boilerplate_share: float | None,
) -> dict[str, Any]:
    """The ``fetches`` row of one attempt."""
    return {
        "requested_url": attempt.requested_url,
        "final_url": attempt.final_url,
        "host": first_host(attempt.final_url, attempt.requested_url),
        "status": attempt.status,
        "content_type": attempt.content_type,
        "byte_count": attempt.byte_count,
        "elapsed": attempt.elapsed,
        "fetched_at": attempt.fetched_at,
        "outcome": outcome.status,
        "error_kind": outcome.error_kind,
        "error_message": outcome.error_message,
        "article_id": article_id,
        "boilerplate_share": boilerplate_share,
    }


@dataclass(frozen=True, slots=True)
class _Inserts:
    article: Executable  # RETURNING the new id; nothing when the hash is known
    article_url: Executable


@cache
def _inserts(dialect: str) -> _Inserts:
    """``INSERT … ON CONFLICT DO NOTHING`` statements in ``dialect``, built once.

    A concurrent writer's row wins the conflict.
    """
    article = dialect_insert(dialect, _articles).on_conflict_do_nothing(
        index_elements=["content_hash"]
    )
    article_url = dialect_insert(dialect, _article_urls).on_conflict_do_nothing(
        index_elements=["url"]
    )
    return _Inserts(article.returning(_articles.c.id), article_url)


# Built once, run with parameters: their compiled forms are cached.
_TOUCH_BY_ID = (
    update(_articles)
    .where(_articles.c.id == bindparam("article_id"))
    .values(last_seen=bindparam("now"))
)
_TOUCH_BY_HASH = (
    update(_articles)
    .where(_articles.c.content_hash == bindparam("digest"))
    .values(last_seen=bindparam("now"))
    .returning(_articles.c.id)
)
# Several rows at once, their ids returned in the order of the rows.
_INSERT_FETCHES = _fetches.insert().returning(_fetches.c.id, sort_by_parameter_order=True)
