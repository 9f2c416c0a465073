"""The crawl's worker processes: the CPU-heavy part of every page.

Cleaning, link extraction, feed and sitemap parsing, the near-duplicate
signature and the article's own transaction run here, so both cores work and
the crawl's event loop only fetches and schedules. Everything crosses the
process boundary as frozen, picklable records.

On SQLite every writer of the crawl (these workers and the crawl's own
database threads) takes one shared lock around its transaction: SQLite admits
one writer at a time anyway, and a lock hands the turn over at once where
SQLite's busy handler would sleep and retry.
"""

from __future__ import annotations

import os
import threading
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime

import cleaners
from scraper.archive import RawPage
from scraper.boilerplate import BoilerplateCache
from scraper.discover import feed_links, page_links, parse_sitemap
from scraper.errors import FetchErrorKind
from scraper.frontier import Kind
from scraper.records import FetchAttempt, SaveResult
from scraper.storage import FAILED, PreparedSave, Store, open_store, prepare_save
from scraper.urls import is_http_url

PARENT_POLL = 1.0  # seconds between a worker's checks that its crawl still runs


@dataclass(slots=True)
class _WorkerState:
    """This worker process's store, write lock and boilerplate cache, set by ``init_worker``.

    Module state is how a process pool hands per-process resources to its
    tasks; it never exists in the crawl's own process.
    """

    store: Store | None = None
    write_lock: AbstractContextManager[object] | None = None
    boilerplate: BoilerplateCache | None = None


_worker = _WorkerState()


@dataclass(frozen=True, slots=True)
class PageJob:
    """One fetched body and what to do with it."""

    kind: str
    url: str  # the URL the frontier asked for
    final_url: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    attempt: FetchAttempt | None = None  # set for an article: its fetch row
    want_links: bool = False
    max_bytes: int = 0


@dataclass(frozen=True, slots=True)
class PageAnalysis:
    """What a worker made of one body (and, for an article, how it was stored)."""

    links: tuple[str, ...] = ()
    sitemaps: tuple[tuple[str, datetime | None], ...] = ()  # children of a sitemap index
    entries: tuple[tuple[str, datetime | None], ...] = ()  # pages of a feed or urlset
    saved: str | None = None  # new | duplicate | failed; None: not an article
    reason: str | None = None  # why an article page had no text
    canonical: str | None = None


def init_worker(
    parent: int, db_url: str, write_lock: AbstractContextManager[object] | None
) -> None:
    """Pool initializer: open this worker's store; end with the crawl that started it.

    A crawl killed with kill -9 cannot stop its workers, which would wait for
    work forever; a daemon thread watches for the parent to go.
    """
    _worker.store = open_store(db_url)
    _worker.write_lock = write_lock
    _worker.boilerplate = BoilerplateCache(_worker.store)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def analyse(job: PageJob) -> PageAnalysis:
    """Read a feed or sitemap, or clean and store an article; collect links if asked."""
    if job.kind == Kind.FEED:
        return PageAnalysis(entries=tuple((url, None) for url in feed_links(job.body, job.url)))
    if job.kind == Kind.SITEMAP:
        sitemap = parse_sitemap(job.body, job.final_url, max_bytes=job.max_bytes)
        pairs = tuple((entry.url, entry.lastmod) for entry in sitemap.entries)
        return PageAnalysis(sitemaps=pairs) if sitemap.is_index else PageAnalysis(entries=pairs)
    links = page_links(job.body, job.final_url).links if job.want_links else ()
    if job.kind != Kind.ARTICLE or job.attempt is None:
        return PageAnalysis(links=links)
    if _worker.store is None or _worker.boilerplate is None:
        raise RuntimeError("analyse() stores articles only in a pool started by init_worker")
    # Looked up here, next to the store and the cleaning, rather than sent with the job:
    # each worker keeps its own short-lived per-host cache, and the crawl's event loop
    # makes no extra database call per page.
    known = _worker.boilerplate.for_url(job.final_url)
    return replace(_store_article(_worker.store, job, job.attempt, known), links=links)


def _store_article(
    store: Store, job: PageJob, attempt: FetchAttempt, known_boilerplate: frozenset[str]
) -> PageAnalysis:
    article = cleaners.extract(
        job.body,
        job.final_url,
        headers=dict(job.headers),
        known_boilerplate=known_boilerplate,
        fetched_at=attempt.fetched_at,
    )
    raw = RawPage(job.body, job.headers)
    if article.is_empty:
        if article.reason == cleaners.Reason.NOT_ARTICLE:
            return PageAnalysis(reason=article.reason)  # a section page: nothing to record
        failed = replace(
            attempt,
            error_kind=FetchErrorKind.EMPTY,
            error_message=f"no article text ({article.reason})",
        )
        _save(store, prepare_save(failed, None, (), raw))
        return PageAnalysis(saved=FAILED, reason=article.reason)
    canonical = article.canonical_url if is_http_url(article.canonical_url or "") else None
    urls = tuple(url for url in dict.fromkeys((job.url, job.final_url, canonical)) if url)
    saved = _save(store, prepare_save(attempt, article, urls, raw))
    return PageAnalysis(saved=saved.status, canonical=canonical)


def _save(store: Store, prepared: PreparedSave) -> SaveResult:
    # Hashing, signing and compressing are done: the lock is held for the writes alone.
    with _worker.write_lock or nullcontext():
        return store.save_prepared(prepared)
