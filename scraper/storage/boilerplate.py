"""Per-host learned boilerplate: paragraphs that recur across many articles of one host.

Teaser lists, subscription pleas, disclaimers and signature lines that a site
pastes as plain paragraphs into every article body look like prose to the
cleaner. Across a host's articles they give themselves away: the same paragraph
in many distinct articles. ``Store.save`` counts, for each new article, every
distinct paragraph (``cleaners.paragraph_hash``) up to ``MAX_PARAGRAPH_CHARS``,
including those the cleaner already dropped as known (``Article.boilerplate``):
counts must not stop growing once a paragraph is learned, or its share would
decay until it is unlearned and comes back. ``known_boilerplate`` gives the
hashes that pass the thresholds; the pipeline and the crawl hand them to
``cleaners.extract``, which stays pure.

Thresholds (see docs/boilerplate.md):

* ``MIN_ARTICLES`` = 3 distinct articles: two articles sharing a paragraph is
  normal news work (a quote, a background paragraph of a running story); a third
  makes a template far more likely than coincidence.
* ``MIN_SHARE_PERCENT`` = 20 % of the host's counted articles: on a large host a shared
  background paragraph reaches three articles easily but never a fifth of the
  site, while a rotating teaser list or a plea sits in most of its pages.
* ``MAX_PARAGRAPH_CHARS`` = 300: boilerplate is short. A long paragraph shared by
  several articles is syndicated or reused reporting, and dropping it would cut
  real text; short paragraphs are also the only ones worth the table rows.

Near-copies (``articles.duplicate_of``) are not counted: the same story stored
again is not independent evidence that its paragraphs are a template.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Protocol

from sqlalchemy import Connection, Executable, case, func, select

from cleaners import Article, content_hash, drop_paragraphs, paragraph_hash, split_paragraphs
from scraper.storage.database import dialect_insert
from scraper.storage.models import ArticleRow, ArticleUrlRow, HostArticlesRow, HostParagraphRow
from scraper.urls import host_of

MIN_ARTICLES = 3
# A whole percentage: the floor is exact integer arithmetic for any share, where
# floats are not (0.07 * 100 == 7.000000000000001).
MIN_SHARE_PERCENT = 20
MAX_PARAGRAPH_CHARS = 300
# Bounds what one lookup returns (and what each crawl worker caches per host): the most
# frequent paragraphs of a host first.
MAX_KNOWN_PER_HOST = 500
# A crawl worker reads a host's set again after this many seconds, and keeps the
# sets of this many hosts at most: fresh enough to pick up what the last pages
# taught, cheap enough to be one indexed query per host every half minute.
CACHE_SECONDS = 30.0
CACHE_HOSTS = 256


class Readable(Protocol):
    """What the lookups need of a store: a read transaction (``Store.read``).

    A protocol, not ``Store``: saving (``prepare``, ``write``) counts paragraphs with
    this module, which therefore must not import the store back.
    """

    def read(self) -> AbstractContextManager[Connection]: ...


_hosts = HostArticlesRow.__table__
_paragraphs = HostParagraphRow.__table__
_articles = ArticleRow.__table__
_article_urls = ArticleUrlRow.__table__


def learn_articles(
    conn: Connection, articles: Iterable[tuple[str, frozenset[str]]], now: datetime
) -> None:
    """Count new, independent articles, each a host and its countable paragraph hashes.

    Runs in the caller's transaction; ``countable_hashes`` gives the hashes.
    """
    paragraphs: Counter[tuple[str, str]] = Counter()
    hosts: Counter[str] = Counter()
    for host, hashes in articles:
        hosts[host] += 1
        paragraphs.update((host, digest) for digest in hashes)
    upserts = _upserts(conn.dialect.name)
    # Rows are touched in one order (sorted paragraphs, then sorted hosts) so concurrent
    # PostgreSQL writers wait for each other instead of deadlocking; each row once,
    # with its count, since PostgreSQL refuses an upsert that touches a row twice.
    if paragraphs:
        conn.execute(
            upserts.paragraph,
            [
                {
                    "host": host,
                    "paragraph_hash": digest,
                    "article_count": count,
                    "first_seen": now,
                    "last_seen": now,
                }
                for (host, digest), count in sorted(paragraphs.items())
            ],
        )
    if hosts:
        rows = [{"host": host, "article_count": count} for host, count in sorted(hosts.items())]
        conn.execute(upserts.host, rows)


def countable_hashes(article: Article) -> frozenset[str]:
    """The paragraph hashes of ``article`` that count toward its host's boilerplate."""
    # Dropped paragraphs were learned from short ones: they count without a length check.
    short = (p for p in split_paragraphs(article.text) if len(p) <= MAX_PARAGRAPH_CHARS)
    return frozenset({paragraph_hash(p) for p in short if p.strip()} | set(article.boilerplate))


def boilerplate_share(article: Article) -> float | None:
    """Of the paragraphs of ``article``'s page, the share dropped as learned boilerplate.

    None when the page gave no text: there is no page to take a share of.
    """
    if article.is_empty:
        return None
    kept = sum(1 for paragraph in split_paragraphs(article.text) if paragraph.strip())
    dropped = len(article.boilerplate)
    return dropped / (kept + dropped)


@dataclass(frozen=True, slots=True)
class _Upserts:
    paragraph: Executable
    host: Executable


@cache
def _upserts(dialect: str) -> _Upserts:
    """The two counting upserts in ``dialect``, built once: they run for every new article."""
    paragraph = dialect_insert(dialect, _paragraphs)
    host = dialect_insert(dialect, _hosts)
    return _Upserts(
        paragraph=paragraph.on_conflict_do_update(
            index_elements=[_paragraphs.c.host, _paragraphs.c.paragraph_hash],
            set_={
                "article_count": _paragraphs.c.article_count + paragraph.excluded.article_count,
                "last_seen": paragraph.excluded.last_seen,
            },
        ),
        host=host.on_conflict_do_update(
            index_elements=[_hosts.c.host],
            set_={"article_count": _hosts.c.article_count + host.excluded.article_count},
        ),
    )


def known_boilerplate(conn: Connection, host: str) -> frozenset[str]:
    """Hashes of the paragraphs of ``host`` that pass both thresholds."""
    counted = conn.execute(
        select(_hosts.c.article_count).where(_hosts.c.host == host)
    ).scalar_one_or_none()
    if counted is None:
        return frozenset()
    floor = max(MIN_ARTICLES, -(-counted * MIN_SHARE_PERCENT // 100))
    query = (
        select(_paragraphs.c.paragraph_hash)
        .where(_paragraphs.c.host == host, _paragraphs.c.article_count >= floor)
        .order_by(_paragraphs.c.article_count.desc())
        .limit(MAX_KNOWN_PER_HOST)
    )
    return frozenset(conn.execute(query).scalars())


def learned_counts(conn: Connection) -> dict[str, int]:
    """For every host with learned boilerplate, how many paragraphs ``known_boilerplate`` gives."""
    # The floor of ``known_boilerplate``, in SQL: integer division is exact on both dialects.
    share_floor = (_hosts.c.article_count * MIN_SHARE_PERCENT + 99) // 100
    floor = case((share_floor > MIN_ARTICLES, share_floor), else_=MIN_ARTICLES)
    query = (
        select(_paragraphs.c.host, func.count())
        .join(_hosts, _hosts.c.host == _paragraphs.c.host)
        .where(_paragraphs.c.article_count >= floor)
        .group_by(_paragraphs.c.host)
    )
    return {host: min(count, MAX_KNOWN_PER_HOST) for host, count in conn.execute(query)}


def known_for_url(store: Readable, url: str) -> frozenset[str]:
    """``known_boilerplate`` of the host of ``url`` (nothing for a URL without a host)."""
    host = _host_or_none(url)
    if host is None:
        return frozenset()
    with store.read() as conn:
        return known_boilerplate(conn, host)


def article_before_learning(
    conn: Connection, url_keys: Iterable[str], article: Article, digest: str
) -> int | None:
    """The stored article behind ``url_keys`` that ``article`` is, but for learned boilerplate.

    A page stored before one of its paragraphs was learned keeps that paragraph;
    fetched again, it comes out without it and hashes differently. Dropping the very
    paragraphs the cleaner dropped this time from the stored text, then hashing, tells
    the same page from an edited one. Only pages that lost paragraphs need the check.
    """
    keys = sorted(set(url_keys))
    if not article.boilerplate or not keys:
        return None
    linked = select(_article_urls.c.article_id).where(_article_urls.c.url.in_(keys))
    query = select(_articles.c.id, _articles.c.text).where(_articles.c.id.in_(linked))
    dropped = frozenset(article.boilerplate)
    for article_id, text in conn.execute(query):
        remaining, _ = drop_paragraphs(text, dropped)
        try:
            if content_hash(remaining) == digest:
                return article_id
        except ValueError:  # the stored text was nothing but those paragraphs
            continue
    return None


@dataclass(slots=True)
class _Entry:
    hashes: frozenset[str]
    read_at: float


class BoilerplateCache:
    """Known boilerplate per host, read from ``store`` at most every ``ttl`` seconds.

    Holds ``max_hosts`` hosts at most, the least recently used leaving first.
    """

    def __init__(
        self,
        store: Readable,
        *,
        ttl: float = CACHE_SECONDS,
        max_hosts: int = CACHE_HOSTS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._ttl = ttl
        self._max_hosts = max_hosts
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def for_url(self, url: str) -> frozenset[str]:
        host = _host_or_none(url)
        if host is None:
            return frozenset()
        now = self._clock()
        entry = self._entries.get(host)
        if entry is None or now - entry.read_at >= self._ttl:
            with self._store.read() as conn:
                entry = _Entry(known_boilerplate(conn, host), now)
            self._entries[host] = entry
        self._entries.move_to_end(host)
        while len(self._entries) > self._max_hosts:
            self._entries.popitem(last=False)
        return entry.hashes


def _host_or_none(url: str) -> str | None:
    try:
        return host_of(url)
    except ValueError:
        return None
