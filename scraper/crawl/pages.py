"""What becomes of one claimed URL: robots.txt, the fetch in its host's turn, the worker's
analysis, and the result the writer records.

Fetching happens here, on the event loop; cleaning and storing an article happen in a
worker process (``scraper.crawl.worker``), reached through the ``JobBatcher``.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import BrokenExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx

from scraper.config import FetchSettings
from scraper.crawl.batcher import JobBatcher
from scraper.crawl.discover import Document, Validators, fetch_document
from scraper.crawl.frontier_records import Claim, Discovered, Kind, Outcome, State
from scraper.crawl.politeness import (
    MAX_ATTEMPTS,
    ROBOTS_UNAVAILABLE_SECONDS,
    HostPacer,
    backoff_delay,
)
from scraper.crawl.robots import RobotsCache
from scraper.crawl.sources import Source
from scraper.crawl.tally import Tally
from scraper.crawl.worker import PageAnalysis, PageJob
from scraper.crawl.writer import CrawlResult
from scraper.errors import DatabaseUnavailableError, FetchError, FetchErrorKind, is_retryable
from scraper.fetch.client import fetch_page_async
from scraper.pipeline import failed_attempt, page_attempt
from scraper.records import FetchResult
from scraper.storage.outage import DatabaseGate
from scraper.storage.write import FAILED, NEW
from scraper.urls import host_of
from scraper.workers.watched_pool import PageTimeout

CLEANER_ERROR = "cleaner_error"  # error kind of a page on which the cleaner raised
# Error kind of a page that held its cleaning worker past the page time limit: the worker
# was killed and replaced (scraper.workers.watched_pool); the page is failed for good.
CLEANER_TIMEOUT = "cleaner_timeout"


class PageProcessor:
    """Turns a claimed URL into a ``CrawlResult``; counts what it does in ``tally``.

    ``batcher`` is set while the run's worker pool is up.
    """

    def __init__(
        self,
        sources: Iterable[Source],
        fetch_settings: FetchSettings,
        pacer: HostPacer,
        robots: RobotsCache,
        tally: Tally,
        gate: DatabaseGate,
    ) -> None:
        self._sources = {source.name: source for source in sources}
        self._fetch_settings = fetch_settings
        self._pacer = pacer
        self._robots = robots
        self._tally = tally
        self._gate = gate
        self.batcher: JobBatcher | None = None

    async def process(self, client: httpx.AsyncClient, claim: Claim) -> CrawlResult:
        """Check robots.txt, fetch in the host's turn, analyse: what to record about ``claim``."""
        source = self._sources.get(claim.source)
        if source is None:  # the source was removed from the file since
            return CrawlResult(claim, Outcome(claim.id, State.SKIPPED, outcome="no_source"))
        try:
            rules = await self._robots.rules_for(client, claim)
        except FetchError as error:
            return self._failed(claim, error)
        if rules.unavailable:
            retry_at = datetime.now(UTC) + timedelta(seconds=ROBOTS_UNAVAILABLE_SECONDS)
            outcome = Outcome(claim.id, State.PENDING, "robots_unavailable", retry_at=retry_at)
            return CrawlResult(claim, replace(outcome, keep_attempts=True))
        if not rules.allows(claim.url, self._fetch_settings.user_agent):
            return CrawlResult(claim, Outcome(claim.id, State.SKIPPED, outcome="robots"))
        try:
            async with self._pacer.turn(claim.host):
                self._tally.fetched += 1
                if claim.kind in (Kind.FEED, Kind.SITEMAP):
                    validators = Validators(claim.etag, claim.last_modified)
                    fetched: Document | FetchResult = await fetch_document(
                        client, claim.url, self._fetch_settings, validators
                    )
                else:
                    fetched = await fetch_page_async(client, claim.url, self._fetch_settings)
        except FetchError as error:
            return self._failed(claim, error)
        self._pacer.record_success(claim.host)
        if isinstance(fetched, Document):
            return await self._document_result(claim, source, fetched)
        return await self._page_result(claim, source, fetched)

    def _failed(self, claim: Claim, error: FetchError) -> CrawlResult:
        attempt = failed_attempt(claim.url, datetime.now(UTC), error)
        if is_retryable(error.kind, error.status):
            self._pacer.record_error(claim.host)
            if claim.attempts < MAX_ATTEMPTS:
                retry_at = datetime.now(UTC) + timedelta(seconds=backoff_delay(claim.attempts))
                outcome = Outcome(claim.id, State.PENDING, "retry", error.kind, retry_at=retry_at)
                return CrawlResult(claim, outcome, attempt)
        else:
            self._pacer.record_success(claim.host)  # the host answered; the URL is bad
        self._tally.failed[error.kind] += 1
        return CrawlResult(claim, Outcome(claim.id, State.FAILED, "failed", error.kind), attempt)

    async def _page_result(self, claim: Claim, source: Source, page: FetchResult) -> CrawlResult:
        job = PageJob(
            kind=claim.kind,
            url=claim.url,
            final_url=page.final_url,
            body=page.body,
            headers=page.headers,
            attempt=page_attempt(page) if claim.kind == Kind.ARTICLE else None,
            want_links=claim.kind == Kind.LISTING or claim.depth < source.max_depth,
        )
        try:
            analysis = await self._analyse(job, claim.id)
        except (BrokenExecutor, DatabaseUnavailableError):
            raise  # a worker died (out of memory?), or the database is gone for good
        except PageTimeout as error:
            return self._cleaner_timeout(claim, page, error)
        except Exception as exc:  # one page that crashes the cleaner must not end the run
            self._tally.failed[CLEANER_ERROR] += 1
            error = FetchError(page.final_url, CLEANER_ERROR, f"{type(exc).__name__}: {exc}")
            outcome = Outcome(claim.id, State.FAILED, "failed", CLEANER_ERROR)
            return CrawlResult(claim, outcome, page_attempt(page, error))
        found = self._links(source, claim.depth, analysis.links)
        if claim.kind != Kind.ARTICLE:
            return CrawlResult(claim, Outcome(claim.id, State.DONE, "listing"), found=found)
        if analysis.saved is None:  # the cleaner says: a section page, not an article
            return CrawlResult(claim, Outcome(claim.id, State.DONE, analysis.reason), found=found)
        if analysis.saved == FAILED:
            self._tally.failed[FetchErrorKind.EMPTY] += 1
            outcome = Outcome(claim.id, State.FAILED, "failed", FetchErrorKind.EMPTY)
            return CrawlResult(claim, outcome, found=found)
        if analysis.saved == NEW:
            self._tally.new += 1
        else:
            self._tally.duplicate += 1
        outcome = Outcome(claim.id, State.DONE, analysis.saved, canonical_url=analysis.canonical)
        return CrawlResult(claim, outcome, found=found)

    def _cleaner_timeout(self, claim: Claim, page: FetchResult, error: PageTimeout) -> CrawlResult:
        """The page held its cleaning worker past the limit: failed for good, with its fetch."""
        self._tally.failed[CLEANER_TIMEOUT] += 1
        failure = FetchError(page.final_url, CLEANER_TIMEOUT, str(error))
        outcome = Outcome(claim.id, State.FAILED, "failed", CLEANER_TIMEOUT)
        return CrawlResult(claim, outcome, page_attempt(page, failure))

    async def _document_result(
        self, claim: Claim, source: Source, document: Document
    ) -> CrawlResult:
        if document.unchanged:
            self._tally.unchanged += 1
            return CrawlResult(claim, Outcome(claim.id, State.DONE, "unchanged"))
        if not document.ok:
            error = FetchError(
                document.url,
                FetchErrorKind.HTTP_STATUS,
                f"HTTP {document.status}",
                status=document.status,
            )
            return self._failed(claim, error)
        try:
            job = PageJob(
                claim.kind,
                claim.url,
                document.url,
                document.body,
                max_bytes=self._fetch_settings.max_bytes,
            )
            analysis = await self._analyse(job, claim.id)
        except FetchError as error:
            return self._failed(claim, error)
        except PageTimeout as error:
            return self._failed(claim, FetchError(document.url, CLEANER_TIMEOUT, str(error)))
        outcome = Outcome(
            claim.id,
            State.DONE,
            claim.kind,
            etag=document.validators.etag,
            last_modified=document.validators.last_modified,
        )
        found = [
            Discovered(url, host_of(url), source.name, Kind.ARTICLE, 1, lastmod)
            for url, lastmod in analysis.entries
            if self._belongs(source, url) and source.wants_article(url)
        ]
        children = [
            Discovered(url, host_of(url), source.name, Kind.SITEMAP, 0, lastmod)
            for url, lastmod in analysis.sitemaps
            if self._belongs(source, url)
        ]
        # A child without lastmod cannot say it is unchanged: read it every run.
        seeds = tuple(child for child in children if child.lastmod is None)
        found += [child for child in children if child.lastmod is not None]
        return CrawlResult(claim, outcome, found=tuple(found), seeds=seeds)

    async def _analyse(self, job: PageJob, claim_id: int) -> PageAnalysis:
        """The worker's analysis of ``job``; a page the worker could not store for an
        outage is kept (fetched once) and analysed again when the database is back."""
        if self.batcher is None:
            raise RuntimeError("no worker pool: pages are analysed only while the run lasts")
        while True:
            started = await self._gate.passage()
            try:
                return await self.batcher.analyse(job)
            except DatabaseUnavailableError as error:
                self._gate.keep(claim_id)
                await self._gate.wait_out(error, started)

    def _links(self, source: Source, depth: int, links: Iterable[str]) -> tuple[Discovered, ...]:
        """Links worth following from a page at ``depth``, as frontier entries."""
        found = []
        for url in links:
            if not self._belongs(source, url) or source.is_excluded(url):
                continue
            if source.wants_article(url) and depth + 1 <= source.max_depth:
                found.append(Discovered(url, host_of(url), source.name, Kind.ARTICLE, depth + 1))
            elif depth + 2 <= source.max_depth:
                found.append(Discovered(url, host_of(url), source.name, Kind.LISTING, depth + 1))
        return tuple(found)

    @staticmethod
    def _belongs(source: Source, url: str) -> bool:
        try:
            return source.owns(host_of(url))
        except ValueError:
            return False
