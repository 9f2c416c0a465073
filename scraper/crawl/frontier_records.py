"""The frontier's records: what a URL is, where it stands, how it is found, held and left.

``scraper.crawl.frontier`` keeps them in the database; the crawl passes them around.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class Kind:
    """What a frontier URL is, which decides what is done with its body."""

    ARTICLE = "article"  # cleaned and stored
    LISTING = "listing"  # a start page or section page: only its links matter
    FEED = "feed"
    SITEMAP = "sitemap"

    SEEDS = (LISTING, FEED, SITEMAP)


class State:
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    FAILED = "failed"  # permanent error, or out of retries
    SKIPPED = "skipped"  # refused by robots.txt or by the source's rules


@dataclass(frozen=True, slots=True)
class Discovered:
    """A URL found by discovery (or a seed from the sources file)."""

    url: str
    host: str
    source: str
    kind: str
    depth: int = 0
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """A frontier row this run now holds under lease."""

    id: int
    url: str
    host: str
    source: str
    kind: str
    depth: int
    attempts: int  # including this one
    etag: str | None = None
    last_modified: str | None = None
    host_ready_at: datetime | None = None  # no request to the host before (other workers' gap)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of a claimed URL. ``retry_at`` set means: pending again then."""

    id: int
    state: str
    outcome: str | None = None
    error_kind: str | None = None
    retry_at: datetime | None = None
    etag: str | None = None
    last_modified: str | None = None
    canonical_url: str | None = None
    keep_attempts: bool = False  # robots said "later": not the URL's fault
