"""Store each article once, with every URL that leads to it; read articles back.

Dedup: an article is identified by ``cleaners.content_hash`` of its text. Saving
an article whose hash is known links the new URLs to the existing row and bumps
its ``last_seen``; it is not an error. Every URL is stored as its
``scraper.urls.url_key``, so ``?utm_source=…``, ``www.`` or ``?amp=1`` variants
of one address lead to the same row.

The connection, its locking and the schema migrations live in ``scraper.storage.database``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from types import TracebackType
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Executable,
    bindparam,
    func,
    or_,
    select,
    update,
)

import cleaners
from cleaners import Article, content_hash
from scraper.errors import FetchErrorKind
from scraper.records import FetchAttempt, SaveResult
from scraper.storage.archive import RawPage, archive_pages, pack
from scraper.storage.boilerplate import (
    article_before_learning,
    boilerplate_share,
    countable_hashes,
    learn_articles,
)
from scraper.storage.database import (
    connect,
    database_url,
    dialect_insert,
    display_name,
    downgrade_database,
    storage_errors,
    upgrade_database,
    write_connection,
)
from scraper.storage.models import ArticleRow, ArticleUrlRow, Base, FetchRow
from scraper.storage.neardup import DEFAULT_THRESHOLD, Signature, index_articles, signature
from scraper.urls import host_of, url_key

__all__ = [
    "DUPLICATE",
    "FAILED",
    "NEW",
    "PreparedSave",
    "Store",
    "StoredArticle",
    "database_url",
    "downgrade_database",
    "open_store",
    "prepare_save",
    "upgrade_database",
]

NEW = "new"
DUPLICATE = "duplicate"
FAILED = "failed"

# Kinds of the URLs handed to ``Store.save``, in the order they come.
URL_KINDS = ("requested", "final", "canonical")
EXTRA_URL_KIND = "other"


_articles = Base.metadata.tables[ArticleRow.__tablename__]
_article_urls = Base.metadata.tables[ArticleUrlRow.__tablename__]
_fetches = Base.metadata.tables[FetchRow.__tablename__]


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


@dataclass(frozen=True, slots=True)
class PreparedSave:
    """A target ready for ``Store.save_prepared``: everything but the database work done.

    Hashing, signing, paragraph counting and compression cost CPU but no
    database: a crawl worker does them before it takes the write lock.
    """

    attempt: FetchAttempt
    article: Article | None  # None, or without text: only the fetch row is written
    digest: str | None  # the article's content hash
    host: str | None
    url_keys: tuple[tuple[str, str], ...]  # (url_key, kind) of each URL, first kind kept
    signature: Signature | None
    paragraphs: frozenset[str]  # countable toward the host's boilerplate
    raw: dict[str, Any] | None  # the raw archive's columns (``scraper.storage.archive.pack``)
    boilerplate_share: float | None = None  # ``fetches.boilerplate_share``


def prepare_save(
    attempt: FetchAttempt,
    article: Article | None,
    urls: Sequence[str | None],
    raw: RawPage | None = None,
    *,
    near_signature: Signature | None = None,
) -> PreparedSave:
    """Do the CPU work of ``Store.save`` (arguments as there), without touching the database."""
    packed = pack(raw) if raw is not None else None
    digest = _hash_or_none(attempt, article)
    if article is None or digest is None:
        return PreparedSave(attempt, article, None, None, (), None, frozenset(), packed)
    return PreparedSave(
        attempt=attempt,
        article=article,
        digest=digest,
        host=_first_host(attempt.final_url, attempt.requested_url, article.url),
        url_keys=_url_keys(urls),
        signature=near_signature or signature(article.text),
        paragraphs=countable_hashes(article),
        raw=packed,
        boilerplate_share=boilerplate_share(article),
    )


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
        written = []
        with self.write() as conn:
            for item in prepared:
                written.append(self._write_article(conn, item, now))
            new = {
                result.article_id: item
                for item, (result, _) in zip(prepared, written, strict=True)
                if result.status == NEW and item.signature is not None
            }
            near_copies = index_articles(
                conn,
                {article_id: item.signature for article_id, item in new.items()},
                self.near_threshold,
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

    def _write_article(
        self, conn: Connection, prepared: PreparedSave, now: datetime
    ) -> tuple[SaveResult, _Outcome]:
        """Insert the article of ``prepared``, or find the row it duplicates."""
        attempt, article, digest = prepared.attempt, prepared.article, prepared.digest
        if article is None or digest is None:
            return SaveResult(FAILED), _failure(attempt, article)
        keys = [key for key, _ in prepared.url_keys]
        article_id, status = _insert_or_touch_article(
            conn, article, digest, prepared.host, keys, now
        )
        _link_urls(conn, article_id, prepared.url_keys, now)
        return SaveResult(status, article_id, digest), _Outcome(status)

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


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: str
    error_kind: str | None = None
    error_message: str | None = None


def _hash_or_none(attempt: FetchAttempt, article: Article | None) -> str | None:
    if attempt.error_kind is not None or article is None or article.is_empty:
        return None
    try:
        return content_hash(article.text)
    except ValueError:  # only invisible characters: nothing left to hash
        return None


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


def site_condition(site: str) -> ColumnElement[bool]:
    """Articles of host ``site`` or of its subdomains (``example.fr`` takes ``www.example.fr``)."""
    host = site.lower().strip(".")
    return or_(_articles.c.host == host, _articles.c.host.endswith("." + host))


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


def _url_keys(urls: Sequence[str | None]) -> tuple[tuple[str, str], ...]:
    """(url_key, kind) of every valid URL; a key met twice keeps its first kind."""
    kinds: dict[str, str] = {}
    for position, url in enumerate(urls):
        if url is None:
            continue
        try:
            key = url_key(url)
        except ValueError:  # a file path, or a broken canonical link
            continue
        kinds.setdefault(key, URL_KINDS[position] if position < len(URL_KINDS) else EXTRA_URL_KIND)
    return tuple(kinds.items())


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
        "host": _first_host(attempt.final_url, attempt.requested_url),
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


def _first_host(*urls: str | None) -> str | None:
    for url in urls:
        if url is None:
            continue
        try:
            return host_of(url)
        except ValueError:
            continue
    return None


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
