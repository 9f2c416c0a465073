"""The store: one database's articles, URLs and fetch log; saving and reading them.

``Store`` opens transactions and saves what ``scraper.storage.prepare`` made ready
through ``scraper.storage.write``; it reads articles back in constant memory. The
connection, its locking and the schema migrations live in ``scraper.storage.database``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, func, or_, select

from cleaners import Article
from scraper.records import FetchAttempt, SaveResult
from scraper.storage.archive import RawPage
from scraper.storage.database import (
    connect,
    database_url,
    display_name,
    storage_errors,
    write_connection,
)
from scraper.storage.models import ArticleRow, ArticleUrlRow, Base
from scraper.storage.neardup import DEFAULT_THRESHOLD, Signature
from scraper.storage.prepare import PreparedSave, prepare_save
from scraper.storage.write import write_saves
from scraper.urls import url_key

_articles = Base.metadata.tables[ArticleRow.__tablename__]
_article_urls = Base.metadata.tables[ArticleUrlRow.__tablename__]


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """One row of ``articles`` with every URL key that leads to it."""

    id: int
    content_hash: str
    text: str
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    modified: str | None
    language: str | None
    url: str | None
    canonical_url: str | None
    site_name: str | None
    description: str | None
    section: str | None
    tags: tuple[str, ...]
    image: str | None
    word_count: int
    first_seen: datetime
    last_seen: datetime
    urls: tuple[str, ...]
    duplicate_of: int | None = None  # the earliest near-copy (scraper.storage.neardup)
    cleaner_version: str | None = None


def open_store(db: str | None = None, *, near_threshold: float = DEFAULT_THRESHOLD) -> Store:
    """Open (or create) the database and upgrade its schema to head."""
    return Store(connect(database_url(db)), near_threshold=near_threshold)


class Store:
    """Articles, their URLs and the fetch log in one database. Use as a context manager."""

    def __init__(self, engine: Engine, *, near_threshold: float = DEFAULT_THRESHOLD) -> None:
        self.engine = engine
        self.near_threshold = near_threshold  # estimated Jaccard that makes a near-copy

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    @property
    def name(self) -> str:
        """The database URL without its password, for messages."""
        return display_name(self.engine)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection in a short read transaction; SQLAlchemy errors become StorageError."""
        with storage_errors(self.engine), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction, committed at exit (SQLite: ``BEGIN IMMEDIATE``)."""
        with storage_errors(self.engine), write_connection(self.engine) as conn:
            yield conn

    def save(
        self,
        attempt: FetchAttempt,
        article: Article | None,
        urls: Sequence[str | None],
        raw: RawPage | None = None,
        *,
        near_signature: Signature | None = None,
    ) -> SaveResult:
        """Record one target in one transaction: its fetch row and, if it has text, its article.

        ``urls`` are the requested, final and canonical URLs (``None`` skipped).
        A failed attempt, or an article without text, writes only the fetch row.
        ``raw`` (the response as fetched) goes to the raw archive with the fetch
        row; a new article is indexed for near-duplicates and, unless it is a near-copy,
        counted toward its host's learned boilerplate (``scraper.storage.boilerplate``) in the
        same transaction.
        """
        return self.save_prepared(
            prepare_save(attempt, article, urls, raw, near_signature=near_signature)
        )

    def save_prepared(self, prepared: PreparedSave) -> SaveResult:
        """The write transaction of ``save``, for a target ``prepare_save`` made ready."""
        [result] = self.save_prepared_many([prepared])
        return result

    def save_prepared_many(self, prepared: Sequence[PreparedSave]) -> list[SaveResult]:
        """``save_prepared`` for several targets in one transaction, in order.

        An article met twice is stored once: the later one is its duplicate. Articles
        are stored one after the other (each may be a copy of the one before); their
        near-duplicate index, boilerplate counts, fetch rows and raw pages follow,
        a few statements for the whole batch.
        """
        now = datetime.now(UTC)
        with self.write() as conn:
            return write_saves(conn, prepared, now, self.near_threshold)

    def article_for_url(self, url: str) -> int | None:
        """The id of the article ``url`` (or any variant with the same key) leads to."""
        try:
            key = url_key(url)
        except ValueError:
            return None
        with self.read() as conn:
            query = select(_article_urls.c.article_id).where(_article_urls.c.url == key)
            return conn.execute(query).scalar_one_or_none()

    def iter_articles(
        self,
        since: datetime | None = None,
        batch_size: int = 500,
        where: Sequence[ColumnElement[bool]] = (),
    ) -> Iterator[StoredArticle]:
        """Yield stored articles by id, first seen at or after ``since``, in constant memory.

        ``where`` adds conditions on the ``articles`` table (``scraper.outputs.export`` filters).

        Keyset pagination: each batch is one short read transaction, so a slow
        consumer never holds a snapshot (or the WAL) open between batches.
        """
        last_id = 0
        while True:
            query = select(_articles).where(_articles.c.id > last_id)
            if since is not None:
                query = query.where(_articles.c.first_seen >= since)
            query = query.where(*where)
            with self.read() as conn:
                rows = conn.execute(query.order_by(_articles.c.id).limit(batch_size)).all()
                urls = _urls_by_article(conn, [row.id for row in rows])
            if not rows:
                return
            for row in rows:
                yield _stored_article(row._mapping, urls[row.id])
            last_id = rows[-1].id

    def count_articles(self) -> int:
        with self.read() as conn:
            return conn.execute(select(func.count()).select_from(_articles)).scalar_one()


def site_condition(site: str) -> ColumnElement[bool]:
    """Articles of host ``site`` or of its subdomains (``example.fr`` takes ``www.example.fr``)."""
    host = site.lower().strip(".")
    return or_(_articles.c.host == host, _articles.c.host.endswith("." + host))


def _urls_by_article(conn: Connection, article_ids: list[int]) -> dict[int, list[str]]:
    urls: dict[int, list[str]] = defaultdict(list)
    if article_ids:
        query = (
            select(_article_urls.c.article_id, _article_urls.c.url)
            .where(_article_urls.c.article_id.in_(article_ids))
            .order_by(_article_urls.c.id)
        )
        for article_id, url in conn.execute(query):
            urls[article_id].append(url)
    return urls


def _stored_article(row: Any, urls: list[str]) -> StoredArticle:
    return StoredArticle(
        id=row["id"],
        content_hash=row["content_hash"],
        text=row["text"],
        title=row["title"],
        authors=tuple(row["authors"] or ()),
        published=row["published"],
        modified=row["modified"],
        language=row["language"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        site_name=row["site_name"],
        description=row["description"],
        section=row["section"],
        tags=tuple(row["tags"] or ()),
        image=row["image"],
        word_count=row["word_count"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        urls=tuple(urls),
        duplicate_of=row["duplicate_of"],
        cleaner_version=row["cleaner_version"],
    )
