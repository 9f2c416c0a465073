"""SQLAlchemy 2.x typed tables. Storage knows these; nothing here knows HTTP."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names, so Alembic migrations (batch mode on SQLite)
# can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# SQLite full-text index over articles (migration 0003, scraper.outputs.search): a virtual
# table and its shadow tables, all named with this prefix, that no model describes.
FTS_TABLE = "articles_fts"


def is_modelled(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic ``include_name`` hook: leave the full-text index out of model comparisons."""
    return not (type_ == "table" and name is not None and name.startswith(FTS_TABLE))


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so without this a value written aware would come
    back naive and compare wrongly with ``datetime.now(UTC)``. Naive input is
    taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is None:
            return value
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime}


class ArticleRow(Base):
    """One distinct article, identified by the hash of its cleaned, normalised text."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    published: Mapped[str | None] = mapped_column(String(40))
    modified: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(35))  # BCP 47 tags fit
    url: Mapped[str | None] = mapped_column(Text)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    site_name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    image: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255), index=True)
    word_count: Mapped[int] = mapped_column(Integer, default=0)
    first_seen: Mapped[datetime] = mapped_column(index=True)
    last_seen: Mapped[datetime]
    # The earliest article this one is a near-copy of (scraper.storage.neardup). No foreign
    # key: SQLite adds and drops a plain column in place (see migration 0003).
    duplicate_of: Mapped[int | None] = mapped_column(Integer, index=True)
    cleaner_version: Mapped[str | None] = mapped_column(String(32))  # cleaners.__version__
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)  # scraper.storage.neardup.Signature

    urls: Mapped[list[ArticleUrlRow]] = relationship(back_populates="article")


class ArticleUrlRow(Base):
    """Every URL (requested, final, canonical; normalised) seen to lead to an article."""

    __tablename__ = "article_urls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2083), unique=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # requested | final | canonical
    first_seen: Mapped[datetime]

    article: Mapped[ArticleRow] = relationship(back_populates="urls")


class FetchRow(Base):
    """One attempt to get a page, successful or not."""

    __tablename__ = "fetches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requested_url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(Text)  # a header: any length
    byte_count: Mapped[int | None] = mapped_column(Integer)
    elapsed: Mapped[float | None] = mapped_column(Float)
    fetched_at: Mapped[datetime] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(16))  # new | duplicate | failed
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error_message: Mapped[str | None] = mapped_column(Text)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    # Of the page's paragraphs, the share dropped as its host's learned boilerplate
    # (``scraper.outputs.health`` watches it); None for a page without text.
    boilerplate_share: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (Index("ix_fetches_host_fetched_at", "host", "fetched_at"),)


# --- Crawl frontier (owned by the crawl; appended below the article tables) ---


class FrontierRow(Base):
    """One URL the crawl knows: what it is, where it stands, when to try it next.

    The frontier lives here and not in memory, so a run can be killed at any
    moment: claimed rows carry a lease, and an expired lease is claimed again.
    """

    __tablename__ = "frontier"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2083))  # as first found: the one fetched
    url_key: Mapped[str] = mapped_column(String(2083), unique=True)  # scraper.urls.url_key
    host: Mapped[str] = mapped_column(String(255))
    source: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))  # article, listing, feed, sitemap
    depth: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))  # pending, in_progress, done, failed, skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column()
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(128))  # the worker holding the lease
    discovered_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    lastmod: Mapped[datetime | None] = mapped_column()  # from a sitemap
    etag: Mapped[str | None] = mapped_column(Text)  # validators of feeds and sitemaps
    last_modified: Mapped[str | None] = mapped_column(String(64))
    canonical_url: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(16))  # new | duplicate | unchanged | …
    error_kind: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index("ix_frontier_state_next_attempt_at", "state", "next_attempt_at"),
        Index("ix_frontier_host_state", "host", "state"),
    )


class CrawlRunRow(Base):
    """The counts of one ``scrape crawl`` run, the same ones its summary line prints."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    finished_at: Mapped[datetime | None] = mapped_column()
    sources_file: Mapped[str | None] = mapped_column(Text)
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    failed_by_kind: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    elapsed: Mapped[float | None] = mapped_column(Float)
    exit_code: Mapped[int | None] = mapped_column(Integer)


# --- NLP: near-duplicate index and raw archive (scraper.storage.neardup and .archive) ---


class ArticleBandRow(Base):
    """One LSH band hash of an article's MinHash: articles sharing a (band, hash) are candidates.

    The index lives here rather than in memory, so each new article is compared
    with everything stored before it by one indexed query, across runs and machines.
    """

    __tablename__ = "article_bands"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    hash: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_article_bands_band_hash", "band", "hash"),)


class RawPageRow(Base):
    """The response body and headers of one fetch, compressed, for ``scrape reclean``."""

    __tablename__ = "raw_pages"

    fetch_id: Mapped[int] = mapped_column(
        ForeignKey("fetches.id", ondelete="CASCADE"), primary_key=True
    )
    headers: Mapped[list[list[str]]] = mapped_column(JSON)  # [[name, value], ...] in order
    codec: Mapped[str] = mapped_column(String(8))  # how ``body`` is compressed: "zstd"
    size: Mapped[int] = mapped_column(Integer)  # bytes before compression
    body: Mapped[bytes] = mapped_column(LargeBinary)


# --- Scaling out: what every crawl worker shares (scraper.crawl.coordination) ---


class CrawlHostRow(Base):
    """One host: who may send it the next request, and when; its robots.txt, fetched once.

    A worker leases the host in the transaction that claims its URLs, so two
    workers never talk to one host at once, and hands it back with the time
    its delay allows the next request.
    """

    __tablename__ = "crawl_hosts"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_allowed_at: Mapped[datetime | None] = mapped_column()
    lease_owner: Mapped[str | None] = mapped_column(String(128))
    lease_expires_at: Mapped[datetime | None] = mapped_column()
    robots_fetched_at: Mapped[datetime | None] = mapped_column()  # None: never fetched
    robots_status: Mapped[int | None] = mapped_column(Integer)  # None: no answer
    robots_body: Mapped[bytes | None] = mapped_column(LargeBinary)


class CrawlSourceRow(Base):
    """One source of the sources file: when its feeds, sitemaps and start pages are due again."""

    __tablename__ = "crawl_sources"

    name: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_discovery_at: Mapped[datetime] = mapped_column()
    last_discovery_at: Mapped[datetime | None] = mapped_column()


# --- Per-host learned boilerplate (scraper.storage.boilerplate) ---


class HostArticlesRow(Base):
    """How many independent articles of one host have been counted toward its boilerplate."""

    __tablename__ = "host_articles"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    article_count: Mapped[int] = mapped_column(Integer)


class HostParagraphRow(Base):
    """How many distinct articles of one host hold one paragraph (``cleaners.paragraph_hash``)."""

    __tablename__ = "host_paragraphs"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    paragraph_hash: Mapped[str] = mapped_column(String(16), primary_key=True)
    article_count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column()
    last_seen: Mapped[datetime] = mapped_column()

    # The lookup reads a host's most frequent paragraphs only.
    __table_args__ = (Index("ix_host_paragraphs_host_article_count", "host", "article_count"),)


# --- Reclean shared by several machines (scraper.reclean.ranges) ---


class RecleanRangeRow(Base):
    """One range of article ids of a ``scrape reclean`` run, claimed by one recleaner at a time.

    Progress is written in the transaction that writes the range's articles, so a
    recleaner that dies leaves exactly what is left to do; its lease then runs out.
    """

    __tablename__ = "reclean_ranges"

    run: Mapped[str] = mapped_column(String(255), primary_key=True)  # cleaner version + selection
    first_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(Integer)
    done_through: Mapped[int] = mapped_column(Integer)  # articles up to this id are written
    owner: Mapped[str] = mapped_column(String(128))  # scraper.workers.processes.worker_id
    lease_expires_at: Mapped[datetime] = mapped_column()
