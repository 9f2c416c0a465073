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
and the main process only reads pages and writes rows, a batch in a few
statements, so throughput scales with the number of cores.

On PostgreSQL several recleaners (machines) can run at once: each claims id
ranges of the run (``scraper.reclean.ranges``) and records its progress in the
transactions that write the articles. On SQLite one process does the whole run.

A PostgreSQL run rides out a database outage (``scraper.storage.outage``): it waits, keeps
the batch it has cleaned, and writes it when the server is back; a run on SQLite
waits for a file another program keeps locked. Both give up past the outage limit.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import count, islice
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, delete, func, or_, select, update

import cleaners
from cleaners import Article, content_hash
from scraper.errors import StorageError
from scraper.logs import configure_logging, debug_enabled
from scraper.reclean.ranges import (
    DEFAULT_RANGE_LEASE_SECONDS,
    DEFAULT_RANGE_SIZE,
    IdRange,
    RangeClaim,
    RangeLost,
    claim_range,
    next_lease_end,
    record_progress,
)
from scraper.records import Extractor
from scraper.storage.archive import unpack
from scraper.storage.boilerplate import BoilerplateCache
from scraper.storage.models import ArticleRow, ArticleUrlRow, FetchRow, RawPageRow
from scraper.storage.neardup import Signature, index_articles, relink_later, signature
from scraper.storage.outage import DEFAULT_OUTAGE_LIMIT, OutagePolicy, OutageRider
from scraper.storage.store import Store, site_condition
from scraper.storage.write import article_columns
from scraper.workers.processes import worker_context, worker_id
from scraper.workers.watched_pool import (
    DEFAULT_PAGE_TIME_LIMIT,
    PageTimeout,
    WatchedPool,
    page_started,
)

log = logging.getLogger(__name__)

DEFAULT_RECLEAN_WORKERS = 2
READ_BATCH = 64  # pages read from the database at a time
WRITE_BATCH = 32  # results written in one transaction
CHUNK = 8  # pages per task sent to a worker: the pool's cost per task is paid once for all
CHUNKS_IN_FLIGHT_PER_WORKER = 4  # a worker stays busy while a batch is written
WRITE_ATTEMPTS = 3  # PostgreSQL: a batch that lost a race with another recleaner runs again
# Deadlock, serialisation failure, unique violation (two recleaners gave two articles one
# text at once): the next attempt sees the other's commit and merges instead.
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "23505"})
_RANGE_POLL_SECONDS = (0.2, 5.0)  # bounds of the wait for another recleaner's range

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

    def run_name(self, version: str) -> str:
        """The name recleaners share a PostgreSQL run by: the same command, the same run."""
        since = self.since.isoformat() if self.since is not None else "-"
        return f"{version} since={since} site={self.site or '-'} stale_only={self.stale_only}"


@dataclass(frozen=True, slots=True)
class RecleanReport:
    pages: int = 0
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    empty: int = 0
    elapsed: float = 0.0
    failed: int = 0  # pages that held their worker past the limit: articles left as they were

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.elapsed if self.elapsed > 0 else 0.0

    def summary(self) -> str:
        return (
            f"{self.pages} pages, {self.changed} changed, {self.unchanged} unchanged, "
            f"{self.merged} merged, {self.empty} empty, {self.failed} failed, "
            f"{self.elapsed:.1f} s, {self.pages_per_second:.1f} pages/s"
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
    changes: dict[str, Any]  # the ``article_columns`` whose value is new; all for a new text
    digest: str | None  # None: the cleaner found no text
    signature: Signature | None  # None: the text is the same, or has no words to sign


def clean_pages(extract: Extractor, jobs: list[RecleanJob]) -> list[_Cleaned]:
    """Runs in a worker process: ``clean_page`` for each of a chunk of jobs."""
    cleaned = []
    for index, job in enumerate(jobs):
        page_started(index)  # the pool kills a worker held too long by one page
        cleaned.append(clean_page(extract, job))
    return cleaned


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
    if digest == stored.content_hash:  # spacing or case only: the stored text stays
        return replace(nothing, changes=changes, digest=digest)
    # Every column travels: the main process writes new texts in one statement.
    return replace(nothing, changes=columns, digest=digest, signature=signature(article.text))


def _bound_boilerplate(extract: Extractor) -> frozenset[str]:
    """The ``known_boilerplate`` already bound when ``extract`` is a partial."""
    keywords = extract.keywords if isinstance(extract, partial) else {}
    return frozenset(keywords.get("known_boilerplate", ()))


@dataclass(slots=True)
class _Counts:
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    empty: int = 0


@dataclass(slots=True)
class _Tally:
    started: float = field(default_factory=time.monotonic)
    pages: int = 0
    failed: int = 0
    counts: _Counts = field(default_factory=_Counts)

    def add(self, pages: int, counts: _Counts) -> None:
        self.pages += pages
        self.counts.changed += counts.changed
        self.counts.unchanged += counts.unchanged
        self.counts.merged += counts.merged
        self.counts.empty += counts.empty

    def report(self) -> RecleanReport:
        counts = self.counts
        return RecleanReport(
            self.pages,
            counts.changed,
            counts.unchanged,
            counts.merged,
            counts.empty,
            time.monotonic() - self.started,
            self.failed,
        )


@dataclass(frozen=True, slots=True)
class _Share:
    """A claimed range this process works on: its writes record progress in it."""

    claim: RangeClaim
    id_range: IdRange


def reclean(
    store: Store,
    selection: RecleanSelection = RecleanSelection(),
    *,
    workers: int = DEFAULT_RECLEAN_WORKERS,
    extract: Extractor = cleaners.extract,
    version: str = cleaners.__version__,
    on_progress: Callable[[RecleanReport], None] | None = None,
    range_size: int = DEFAULT_RANGE_SIZE,
    lease_seconds: float = DEFAULT_RANGE_LEASE_SECONDS,
    outage_limit: float = DEFAULT_OUTAGE_LIMIT,
    page_time_limit: float = DEFAULT_PAGE_TIME_LIMIT,
) -> RecleanReport:
    """Clean the selected articles' pages again with ``extract`` and store what changed.

    ``version`` is recorded as each article's ``cleaner_version``; pass another
    one with another ``extract``. On PostgreSQL the run is shared, ``range_size``
    ids at a time, with every recleaner running the same selection and version;
    a range whose recleaner stopped renewing it for ``lease_seconds`` is taken over.
    The database may be unavailable for ``outage_limit`` seconds (module doc). A page
    that holds its worker longer than ``page_time_limit`` seconds fails: the worker is
    killed and replaced, the article left as it was.
    """
    tally = _Tally()
    shared = store.engine.dialect.name == "postgresql"
    rider = OutageRider(OutagePolicy(outage_limit, unreachable=shared))
    with WatchedPool(
        workers,
        worker_context(),
        page_time_limit=page_time_limit,
        initializer=configure_logging,  # a worker's error is one line, as the command's
        initargs=(debug_enabled(),),
    ) as pool:
        work = partial(clean_pages, extract)
        pipeline = _Pipeline(pool, work, workers, store, version, tally, rider, on_progress)
        if not shared:
            pipeline.run(iter_jobs(store, selection, version, rider=rider), None)
            return tally.report()
        lease = timedelta(seconds=lease_seconds)
        claim = RangeClaim(selection.run_name(version), worker_id(), range_size, lease)
        for id_range in _claimed_ranges(store, claim, rider):
            jobs = iter_jobs(
                store,
                selection,
                version,
                after=id_range.done_through,
                through=id_range.last_id,
                rider=rider,
            )
            try:
                pipeline.run(jobs, _Share(claim, id_range))
            except RangeLost:
                continue  # we were too slow and another recleaner has it now
    return tally.report()


def _claimed_ranges(store: Store, claim: RangeClaim, rider: OutageRider) -> Iterator[IdRange]:
    """Ranges for this process until the run is done, waiting on those others hold."""
    while True:
        now = datetime.now(UTC)
        id_range, lease_end = rider.call(partial(_claim_or_wait, store, claim, now))
        if id_range is not None:
            yield id_range
        elif lease_end is None:
            return
        else:  # held by live recleaners: they finish, or their lease runs out
            low, high = _RANGE_POLL_SECONDS
            time.sleep(min(max((lease_end - now).total_seconds(), low), high))


def _claim_or_wait(
    store: Store, claim: RangeClaim, now: datetime
) -> tuple[IdRange | None, datetime | None]:
    """A range claimed; or, when none is free, when the first lease on one ends."""
    with store.write() as conn:
        id_range = claim_range(conn, claim, now)
        return id_range, next_lease_end(conn, claim) if id_range is None else None


@dataclass(slots=True)
class _Pipeline:
    """Jobs out to the worker pool, results back into the database, in id order."""

    pool: Executor
    work: Callable[[list[RecleanJob]], list[_Cleaned]]
    workers: int
    store: Store
    version: str
    tally: _Tally
    rider: OutageRider  # a batch waits out an outage, then is written
    on_progress: Callable[[RecleanReport], None] | None = None

    def _write_once(
        self, batch: list[_Cleaned], share: _Share | None, done_through: int | None
    ) -> _Counts:
        for attempt in count(1):
            try:
                with self.store.write() as conn:
                    if share is not None and done_through is not None:
                        # First: a range lost to another recleaner raises before any write,
                        # and on PostgreSQL its row stays locked against a takeover until commit.
                        # After an outage this renews the range's lease before anything else.
                        now = datetime.now(UTC)
                        record_progress(conn, share.claim, share.id_range, done_through, now)
                    return _apply(conn, batch, self.version, self.store.near_threshold)
            except StorageError as exc:
                if attempt >= WRITE_ATTEMPTS or not _is_transient(exc):
                    raise
        raise AssertionError("count() never ends")  # for the type checker

    def run(self, jobs: Iterable[RecleanJob], share: _Share | None) -> None:
        """Clean ``jobs`` and write the results batch by batch; a shared range ends done."""
        pending: deque[tuple[Future[list[_Cleaned]], list[RecleanJob]]] = deque()
        batch: list[_Cleaned] = []
        try:
            for chunk in _chunks(jobs, CHUNK):
                pending.append((self.pool.submit(self.work, chunk), chunk))
                if len(pending) >= self.workers * CHUNKS_IN_FLIGHT_PER_WORKER:
                    batch += self.cleaned(*pending.popleft())
                if len(batch) >= WRITE_BATCH:
                    self.write(batch, share, batch[-1].article_id)
                    batch = []
            while pending:
                batch += self.cleaned(*pending.popleft())
            if share is not None:
                self.write(batch, share, share.id_range.last_id)
            elif batch:
                self.write(batch, None, None)
        finally:
            for future, _ in pending:  # a range lost, or an error: the rest is not written
                future.cancel()

    def cleaned(self, future: Future[list[_Cleaned]], chunk: list[RecleanJob]) -> list[_Cleaned]:
        """A chunk's results; a page that held its worker past the limit fails alone (its
        article is left as it was) and the rest of the chunk is cleaned again."""
        try:
            return future.result()
        except PageTimeout as error:
            if not 0 <= error.index < len(chunk):
                raise
            stuck = chunk[error.index]
            log.warning("reclean: article %s (%s): %s", stuck.stored.article_id, stuck.url, error)
            self.tally.failed += 1
            rest = chunk[: error.index] + chunk[error.index + 1 :]
            return self.cleaned(self.pool.submit(self.work, rest), rest) if rest else []

    def write(self, batch: list[_Cleaned], share: _Share | None, done_through: int | None) -> None:
        """One batch in one transaction, with the range's progress when it is shared."""
        attempt = partial(self._write_once, batch, share, done_through)
        counts = self.rider.call(attempt, pages=len(batch))
        self.tally.add(len(batch), counts)
        if self.on_progress is not None:
            self.on_progress(self.tally.report())


def _chunks(jobs: Iterable[RecleanJob], size: int) -> Iterator[list[RecleanJob]]:
    iterator = iter(jobs)
    while chunk := list(islice(iterator, size)):
        yield chunk


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
            stored = _Stored(article_id, digest, dict(zip(_COLUMNS, values, strict=False)))
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


def _is_transient(exc: StorageError) -> bool:
    sqlstate = getattr(getattr(exc.__cause__, "orig", None), "sqlstate", None)
    return sqlstate in _TRANSIENT_SQLSTATES


def _apply(conn: Connection, batch: list[_Cleaned], version: str, threshold: float) -> _Counts:
    counts = _Counts()
    # Same text: one UPDATE per set of changed columns (most often the version alone).
    same_text: defaultdict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    new_texts: list[_Cleaned] = []
    for cleaned in batch:
        if cleaned.digest is None:
            counts.empty += 1
        elif cleaned.digest == cleaned.stored_hash:
            counts.unchanged += 1
            # The stored text stays (it differs, if at all, in spacing or case only): the
            # UPDATE leaves out text, and title unless new, so the search index is untouched.
            values = {**cleaned.changes, "cleaner_version": version}
            values.pop("text", None)
            same_text[frozenset(values)].append({"article_id": cleaned.article_id, **values})
        else:
            new_texts.append(cleaned)
    for rows in same_text.values():
        conn.execute(_UPDATE_ARTICLE, rows)
    if new_texts:
        _replace_texts(conn, new_texts, version, threshold, counts)
    return counts


def _replace_texts(
    conn: Connection, batch: list[_Cleaned], version: str, threshold: float, counts: _Counts
) -> None:
    """Store new texts (in id order), merging articles that now read the same, and re-index."""
    parameters = {
        "ids": [cleaned.article_id for cleaned in batch],
        "digests": [cleaned.digest for cleaned in batch],
    }
    rows = conn.execute(_SELVES_AND_TWINS, parameters).all()
    alive = {article_id for article_id, _ in rows}
    holder = {digest: article_id for article_id, digest in rows}  # kept current below
    updates: list[dict[str, Any]] = []
    signatures: dict[int, Signature | None] = {}
    gone: list[int] = []
    for cleaned in batch:
        article_id, digest = cleaned.article_id, cleaned.digest
        if article_id not in alive:  # merged into another article earlier in this run
            continue
        twin = holder.get(digest) if digest is not None else None
        if twin == article_id:  # another recleaner stored this very text since we read it
            twin = None
        if twin is not None and twin < article_id:
            _merge(conn, keep=twin, drop=article_id)
            alive.discard(article_id)
            gone.append(article_id)
            counts.merged += 1
            continue
        if twin is not None:
            _merge(conn, keep=article_id, drop=twin)
            alive.discard(twin)
            gone.append(twin)
            counts.merged += 1
        else:
            counts.changed += 1
        if holder.get(cleaned.stored_hash) == article_id:
            del holder[cleaned.stored_hash]
        holder[digest] = article_id
        values = {**cleaned.changes, "content_hash": digest, "cleaner_version": version}
        updates.append({"article_id": article_id, **values})
        signatures[article_id] = cleaned.signature
    if updates:  # in id order: a hash one article gives up is free for the next
        conn.execute(_UPDATE_ARTICLE, updates)
    index_articles(conn, signatures, threshold)
    relink_later(conn, [*signatures, *gone], threshold)


def _merge(conn: Connection, *, keep: int, drop: int) -> None:
    """Make ``drop`` part of ``keep``: its URLs and fetches move, its row (and bands) go."""
    seen = conn.execute(
        select(func.min(_articles.c.first_seen), func.max(_articles.c.last_seen)).where(
            _articles.c.id.in_((keep, drop))
        )
    ).one()
    conn.execute(update(_urls).where(_urls.c.article_id == drop).values(article_id=keep))
    conn.execute(update(_fetches).where(_fetches.c.article_id == drop).values(article_id=keep))
    conn.execute(delete(_articles).where(_articles.c.id == drop))
    conn.execute(_UPDATE_ARTICLE, {"article_id": keep, "first_seen": seen[0], "last_seen": seen[1]})


# Built once: they run for every batch. The columns to set are the execution
# parameters other than ``article_id``.
_UPDATE_ARTICLE = update(_articles).where(_articles.c.id == bindparam("article_id"))
_SELVES_AND_TWINS = select(_articles.c.id, _articles.c.content_hash).where(
    or_(
        _articles.c.id.in_(bindparam("ids", expanding=True)),
        _articles.c.content_hash.in_(bindparam("digests", expanding=True)),
    )
)
