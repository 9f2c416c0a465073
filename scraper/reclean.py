"""``scrape reclean``: run the current cleaner again over the pages already fetched.

For each selected article, the latest archived page that led to it is cleaned
again in a process pool (both cores), and the result written back in batches:

- same text: the metadata and ``cleaner_version`` are refreshed;
- new text: text, hash, word count and metadata are replaced, and the
  article's near-duplicate bands and links, and those of later articles
  that depended on it, are recomputed;
- new text equal to another article's: the two are one article now; the
  later row is merged into the earlier (URLs and fetches move over);
- no text at all: the article is left as it was (a cleaner regression must
  not erase the corpus) and counted as ``empty``.

Workers do the expensive part — decompressing, cleaning, hashing, MinHash —
and the main process only reads pages and writes rows, so throughput scales
with the number of cores.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update

import cleaners
from cleaners import Article, content_hash
from scraper.archive import unpack
from scraper.boilerplate import BoilerplateCache
from scraper.models import ArticleRow, ArticleUrlRow, FetchRow, RawPageRow
from scraper.neardup import Signature, index_article, relink_later, signature
from scraper.storage import Store, article_columns, site_condition

Extractor = Callable[..., Article]  # cleaners.extract or a partial of it (picklable)

DEFAULT_RECLEAN_WORKERS = 2
READ_BATCH = 64  # pages read from the database at a time
WRITE_BATCH = 32  # results written in one transaction
IN_FLIGHT_PER_WORKER = 32  # pages queued per worker: it stays busy while a batch is written

_articles = ArticleRow.__table__
_urls = ArticleUrlRow.__table__
_fetches = FetchRow.__table__
_raw = RawPageRow.__table__
_COLUMNS = tuple(article_columns(Article()))  # text and metadata, as the cleaner gives them


@dataclass(frozen=True, slots=True)
class RecleanSelection:
    """Which articles to re-clean."""

    since: datetime | None = None  # first seen at or after
    site: str | None = None  # host, subdomains included
    stale_only: bool = False  # only articles made by another cleaner version


@dataclass(frozen=True, slots=True)
class RecleanReport:
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    empty: int = 0
    elapsed: float = 0.0

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.pages} pages, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.merged} merged, {self.empty} empty, {self.elapsed:.1f} s, "
            f"{self.pages_per_second:.1f} pages/s"
        )


@dataclass(frozen=True, slots=True)
class _Stored:
    """The article as the database holds it before this run."""

    article_id: int
    content_hash: str
    columns: dict[str, Any]  # the ``article_columns`` values: text and metadata


@dataclass(frozen=True, slots=True)
class RecleanJob:
    """One archived page to clean again, as read from the database."""

    stored: _Stored
    url: str | None
    fetched_at: datetime  # relative bylines are dated from it, as when first cleaned
    codec: str
    body: bytes
    headers: list[list[str]]
    known_boilerplate: frozenset[str]  # learned for the page's host: kept out as at fetch time


@dataclass(frozen=True, slots=True)
class _Cleaned:
    """What a worker made of a job: only what differs travels back."""

    article_id: int
    stored_hash: str
    changes: dict[str, Any]  # the ``article_columns`` whose value is new
    digest: str | None  # None: the cleaner found no text
    signature: Signature | None  # None: the text (hence its signature) is the same


def clean_page(extract: Extractor, job: RecleanJob) -> _Cleaned:
    """Runs in a worker process: decompress, clean, compare, and hash and sign new text."""
    raw = unpack(job.codec, job.body, job.headers)
    article = extract(
        raw.body,
        job.url,
        headers=raw.header_map,
        # A keyword given here would replace one bound in a partial: both sets count.
        known_boilerplate=_bound_boilerplate(extract) | job.known_boilerplate,
        fetched_at=job.fetched_at,
    )
    stored = job.stored
    nothing = _Cleaned(stored.article_id, stored.content_hash, {}, None, None)
    if article.is_empty:
        return nothing
    columns = article_columns(article)
    changes = {name: value for name, value in columns.items() if value != stored.columns[name]}
    if "text" not in changes:  # the common case: no hashing, no MinHash
        return replace(nothing, changes=changes, digest=stored.content_hash)
    try:
        digest = content_hash(article.text)
    except ValueError:  # only invisible characters
        return nothing
    sig = None if digest == stored.content_hash else signature(article.text)
    return replace(nothing, changes=changes, digest=digest, signature=sig)


def _bound_boilerplate(extract: Extractor) -> frozenset[str]:
    """The ``known_boilerplate`` already bound when ``extract`` is a partial."""
    keywords = extract.keywords if isinstance(extract, partial) else {}
    return frozenset(keywords.get("known_boilerplate", ()))


@dataclass(slots=True)
class _Tally:
    started: float = field(default_factory=time.monotonic)
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    empty: int = 0

    def report(self) -> RecleanReport:
        return RecleanReport(
            self.pages,
            self.changed,
            self.unchanged,
            self.merged,
            self.empty,
            time.monotonic() - self.started,
        )


def reclean(
    store: Store,
    selection: RecleanSelection = RecleanSelection(),
    *,
    workers: int = DEFAULT_RECLEAN_WORKERS,
    extract: Extractor = cleaners.extract,
    version: str = cleaners.__version__,
    on_progress: Callable[[RecleanReport], None] | None = None,
) -> RecleanReport:
    """Clean the selected articles' pages again with ``extract`` and store what changed.

    ``version`` is recorded as each article's ``cleaner_version``; pass another
    one with another ``extract``.
    """
    tally = _Tally()
    work = partial(clean_page, extract)
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        pending: deque[Future[_Cleaned]] = deque()
        batch: list[_Cleaned] = []
        for job in iter_jobs(store, selection, version):
            pending.append(pool.submit(work, job))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                batch.append(pending.popleft().result())
            if len(batch) >= WRITE_BATCH:
                _write(store, batch, version, tally, on_progress)
                batch = []
        batch += [future.result() for future in pending]
        if batch:
            _write(store, batch, version, tally, on_progress)
    return tally.report()


def iter_jobs(store: Store, selection: RecleanSelection, version: str) -> Iterator[RecleanJob]:
    """The latest archived page of each selected article, by article id, batch by batch."""
    known = BoilerplateCache(store)
    last_id = 0
    while True:
        latest = (
            select(func.max(_fetches.c.id).label("fetch_id"))
            .select_from(_fetches.join(_raw, _raw.c.fetch_id == _fetches.c.id))
            .join(_articles, _articles.c.id == _fetches.c.article_id)
            .where(_articles.c.id > last_id, *_conditions(selection, version))
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
        with store.read() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for article_id, digest, *values in rows:
            stored = _Stored(article_id, digest, dict(zip(_COLUMNS, values, strict=False)))
            url, *page = values[len(_COLUMNS) :]
            hashes = frozenset() if url is None else known.for_url(url)
            yield RecleanJob(stored, url, *page, hashes)
        last_id = rows[-1].article_id


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


def _write(
    store: Store,
    batch: list[_Cleaned],
    version: str,
    tally: _Tally,
    on_progress: Callable[[RecleanReport], None] | None,
) -> None:
    same: list[int] = []  # articles where only the version is new: one statement for all
    with store.write() as conn:
        for cleaned in batch:
            _apply(conn, cleaned, version, store.near_threshold, tally, same)
        if same:
            versions = [{"article_id": id_, "cleaner_version": version} for id_ in same]
            conn.execute(_UPDATE_ARTICLE, versions)
    tally.pages += len(batch)
    if on_progress is not None:
        on_progress(tally.report())


def _apply(
    conn: Connection,
    cleaned: _Cleaned,
    version: str,
    threshold: float,
    tally: _Tally,
    same: list[int],
) -> None:
    article_id = cleaned.article_id
    if cleaned.digest is None:
        tally.empty += 1
        return
    values = {**cleaned.changes, "cleaner_version": version}
    if cleaned.digest == cleaned.stored_hash:
        tally.unchanged += 1
        # The stored text stays (it differs, if at all, in spacing or case only): the
        # UPDATE leaves out text, and title unless new, so the search index is untouched.
        values.pop("text", None)
        if len(values) == 1:
            same.append(article_id)
        else:
            conn.execute(_UPDATE_ARTICLE, {"article_id": article_id, **values})
        return
    found = set(
        conn.execute(_SELF_OR_TWIN, {"article_id": article_id, "digest": cleaned.digest}).scalars()
    )
    if article_id not in found:  # merged into another article earlier in this run
        return
    twin = next(iter(found - {article_id}), None)
    if twin is not None and twin < article_id:
        _merge(conn, keep=twin, drop=article_id, threshold=threshold)
        tally.merged += 1
        return
    if twin is not None:
        _merge(conn, keep=article_id, drop=twin, threshold=threshold)
        tally.merged += 1
    else:
        tally.changed += 1
    values["content_hash"] = cleaned.digest
    conn.execute(_UPDATE_ARTICLE, {"article_id": article_id, **values})
    if cleaned.signature is not None:
        index_article(conn, article_id, cleaned.signature, threshold)
    relink_later(conn, article_id, cleaned.signature, threshold)


def _merge(conn: Connection, *, keep: int, drop: int, threshold: float) -> None:
    """Make ``drop`` part of ``keep``: its URLs and fetches move, its row goes."""
    seen = conn.execute(
        select(func.min(_articles.c.first_seen), func.max(_articles.c.last_seen)).where(
            _articles.c.id.in_((keep, drop))
        )
    ).one()
    conn.execute(update(_urls).where(_urls.c.article_id == drop).values(article_id=keep))
    conn.execute(update(_fetches).where(_fetches.c.article_id == drop).values(article_id=keep))
    conn.execute(delete(_articles).where(_articles.c.id == drop))
    conn.execute(_UPDATE_ARTICLE, {"article_id": keep, "first_seen": seen[0], "last_seen": seen[1]})
    relink_later(conn, drop, None, threshold)


# Built once: they run for every page. The columns to set are the execution
# parameters other than ``article_id``.
_UPDATE_ARTICLE = update(_articles).where(_articles.c.id == bindparam("article_id"))
_SELF_OR_TWIN = select(_articles.c.id).where(
    or_(_articles.c.id == bindparam("article_id"), _articles.c.content_hash == bindparam("digest"))
)
