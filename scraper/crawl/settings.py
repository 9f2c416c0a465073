"""The options of one crawl run, with their named defaults."""

from __future__ import annotations

from dataclasses import dataclass

import cleaners
from scraper.config import FetchSettings
from scraper.crawl.frontier import DEFAULT_LEASE_SECONDS
from scraper.crawl.sources import IPNetwork
from scraper.fetch.client import DEFAULT_SETTINGS
from scraper.records import Extractor
from scraper.storage.outage import DEFAULT_OUTAGE_LIMIT, OutagePolicy
from scraper.workers.watched_pool import DEFAULT_PAGE_TIME_LIMIT

DEFAULT_CLEAN_WORKERS = 2
DEFAULT_DISCOVER_EVERY = 300.0  # seconds between two readings of a source's seeds (--forever)


@dataclass(frozen=True, slots=True)
class CrawlSettings:
    """Options of one run; the command line overrides the sources file here."""

    max_pages: int | None = None
    max_duration: float | None = None
    concurrency: int | None = None  # None: the sources file's
    allow_private: tuple[IPNetwork, ...] = ()
    clean_workers: int = DEFAULT_CLEAN_WORKERS
    fetch: FetchSettings = DEFAULT_SETTINGS
    sources_file: str | None = None
    # A long-lived worker (scraper.worker): waits for due URLs instead of ending,
    # re-reads each source's seeds every ``discover_every`` seconds, stops on SIGTERM.
    forever: bool = False
    discover_every: float = 0.0  # 0: every run reads every seed once
    lease_seconds: float = DEFAULT_LEASE_SECONDS
    # Seconds a cleaning worker may spend on one page before it is killed and replaced.
    page_time_limit: float = DEFAULT_PAGE_TIME_LIMIT
    extract: Extractor = cleaners.extract  # the cleaner (a picklable callable)
    # How long the database may stay unavailable before the run gives up (scraper.storage.outage):
    # a long-lived worker waits for an unreachable server too, a one-shot run for a lock only.
    outage_limit: float = DEFAULT_OUTAGE_LIMIT

    @property
    def outage_policy(self) -> OutagePolicy:
        return OutagePolicy(self.outage_limit, unreachable=self.forever)
