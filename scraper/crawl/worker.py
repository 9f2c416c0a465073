"""The crawl's worker processes: the CPU-heavy part of every page.

Cleaning, link extraction, feed and sitemap parsing, the near-duplicate
signature and the articles' write transactions run here, so both cores work and
the crawl's event loop only fetches and schedules. Pages come in small batches
(``analyse_batch``), whose articles are written in one transaction. Everything
crosses the process boundary as frozen, picklable records.

On SQLite every writer of the crawl (these workers and the crawl's own
database threads) takes one shared lock around its transaction: SQLite admits
one writer at a time anyway, and a lock hands the turn over at once where
SQLite's busy handler would sleep and retry.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import datetime

import cleaners
from scraper.crawl.discover import feed_links, page_links, parse_sitemap
from scraper.crawl.frontier_records import Kind
from scraper.errors import DatabaseUnavailableError, FetchErrorKind, StorageError
from scraper.logs import configure_logging
from scraper.records import Extractor, FetchAttempt, SaveResult
from scraper.storage.archive import RawPage
from scraper.storage.boilerplate import BoilerplateCache
from scraper.storage.database import create_database_engine, database_url
from scraper.storage.prepare import PreparedSave, prepare_save
from scraper.storage.store import Store
from scraper.storage.write import FAILED
from scraper.urls import is_http_url
from scraper.workers.watched_pool import page_started, pages_done

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
    extract: Extractor = cleaners.extract


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
    crawl_pid: int,
    db_url: str,
    write_lock: AbstractContextManager[object] | None,
    debug: bool = False,
    extract: Extractor = cleaners.extract,
) -> None:
    """Pool initializer: log as the crawl does, make this worker's store; end with the crawl.

    The store connects on first use, not here: the crawl has migrated the database
    already, and a worker started while the database is down must still start (a
    failing initializer breaks the whole pool).

    A crawl killed with kill -9 cannot stop its workers, which would wait for
    work forever; a daemon thread watches for the crawl to go. It watches the crawl's
    pid, not this process's parent: that is the forkserver, which outlives the crawl
    for as long as its workers do.
    """
    configure_logging(debug)
    _worker.store = Store(create_database_engine(database_url(db_url)))
    _worker.write_lock = write_lock
    _worker.boilerplate = BoilerplateCache(_worker.store)
    _worker.extract = extract

    def watch() -> None:
        while _running(crawl_pid):
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-crawl", daemon=True).start()


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, under another user (pid reused): not ours to wait for
        return False
    return True


def analyse_batch(jobs: Sequence[PageJob]) -> list[PageAnalysis | Exception]:
    """Read feeds and sitemaps, clean articles and collect links as each job asks;
    the articles are written in one transaction.

    One process round trip and one commit serve the whole batch. A job that fails
    gets its exception in place of its analysis; the others are unaffected.
    """
    ready: list[_Ready | Exception] = []
    for index, job in enumerate(jobs):
        page_started(index)  # the pool kills a worker held too long by one page
        try:
            ready.append(_prepare(job))
        except Exception as exc:  # one page that crashes the cleaner fails alone
            ready.append(exc)
    pages_done()
    saves = [item.save for item in ready if isinstance(item, _Ready) and item.save is not None]
    saved = iter(_save_all(saves))
    results: list[PageAnalysis | Exception] = []
    for item in ready:
        if isinstance(item, Exception) or item.save is None:
            results.append(item if isinstance(item, Exception) else item.analysis)
            continue
        outcome = next(saved)
        if isinstance(outcome, Exception):
            results.append(outcome)
        elif item.analysis.saved == FAILED:  # an empty article: its fetch row is written
            results.append(item.analysis)
        else:
            results.append(replace(item.analysis, saved=outcome.status))
    return results


@dataclass(frozen=True, slots=True)
class _Ready:
    """A job's analysis with the CPU work done; ``save`` still to be written."""

    analysis: PageAnalysis
    save: PreparedSave | None = None


def _prepare(job: PageJob) -> _Ready:
    if job.kind == Kind.FEED:
        entries = tuple((url, None) for url in feed_links(job.body, job.url))
        return _Ready(PageAnalysis(entries=entries))
    if job.kind == Kind.SITEMAP:
        sitemap = parse_sitemap(job.body, job.final_url, max_bytes=job.max_bytes)
        pairs = tuple((entry.url, entry.lastmod) for entry in sitemap.entries)
        return _Ready(
            PageAnalysis(sitemaps=pairs) if sitemap.is_index else PageAnalysis(entries=pairs)
        )
    links = page_links(job.body, job.final_url).links if job.want_links else ()
    if job.kind != Kind.ARTICLE or job.attempt is None:
        return _Ready(PageAnalysis(links=links))
    if _worker.boilerplate is None:
        raise RuntimeError("articles are stored only in a pool started by init_worker")
    # Looked up here, next to the store and the cleaning, rather than sent with the job:
    # each worker keeps its own short-lived per-host cache, and the crawl's event loop
    # makes no extra database call per page.
    known = _worker.boilerplate.for_url(job.final_url)
    ready = _prepare_article(job, job.attempt, known)
    return replace(ready, analysis=replace(ready.analysis, links=links))


def _prepare_article(
    job: PageJob, attempt: FetchAttempt, known_boilerplate: frozenset[str]
) -> _Ready:
    article = _worker.extract(
        job.body,
        job.final_url,
        headers=dict(job.headers),
        known_boilerplate=known_boilerplate,
        fetched_at=attempt.fetched_at,
    )
    raw = RawPage(job.body, job.headers)
    if article.is_empty:
        if article.reason == cleaners.Reason.NOT_ARTICLE:
            return _Ready(PageAnalysis(reason=article.reason))  # a section page: no record
        failed = replace(
            attempt,
            error_kind=FetchErrorKind.EMPTY,
            error_message=f"no article text ({article.reason})",
        )
        analysis = PageAnalysis(saved=FAILED, reason=article.reason)
        return _Ready(analysis, prepare_save(failed, None, (), raw))
    canonical = article.canonical_url if is_http_url(article.canonical_url or "") else None
    urls = tuple(url for url in dict.fromkeys((job.url, job.final_url, canonical)) if url)
    return _Ready(PageAnalysis(canonical=canonical), prepare_save(attempt, article, urls, raw))


def _save_all(saves: Sequence[PreparedSave]) -> list[SaveResult | Exception]:
    """Write ``saves`` in one transaction; if it fails, one by one so the culprit fails alone."""
    if not saves:
        return []
    store = _worker.store
    if store is None:
        raise RuntimeError("articles are stored only in a pool started by init_worker")
    try:
        with _worker.write_lock or nullcontext():
            return list(store.save_prepared_many(saves))
    except DatabaseUnavailableError as error:
        return [error] * len(saves)  # no culprit: the crawl keeps them until the database is back
    except StorageError as error:
        if len(saves) == 1:
            return [error]
    results: list[SaveResult | Exception] = []
    for prepared in saves:
        try:
            with _worker.write_lock or nullcontext():
                results.append(store.save_prepared(prepared))
        except StorageError as error:
            results.append(error)
    return results
