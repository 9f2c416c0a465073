"""robots.txt for the crawl: fetched once per host, shared with the other workers.

A host's rules come from this run's memory, else from the database (another worker
or an earlier run fetched them, ``scraper.crawl.coordination``), else from the host,
fetched in the host's turn like any other request (``scraper.crawl.politeness``).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from scraper.config import FetchSettings
from scraper.crawl.coordination import StoredRobots, store_robots, stored_robots
from scraper.crawl.database_calls import CrawlDatabase
from scraper.crawl.discover import fetch_document
from scraper.crawl.frontier_records import Claim
from scraper.crawl.politeness import HostPacer, RobotsRules, robots_rules
from scraper.errors import FetchError, FetchErrorKind

# robots.txt errors that are the host's own failure: it must not be fetched at all,
# or cannot be reached. Its URLs then fail with that error (retried with backoff when
# transient, counted toward the host's pause) instead of waiting on robots.txt forever.
_REFUSED_KINDS = frozenset(
    {
        FetchErrorKind.BLOCKED_ADDRESS,
        FetchErrorKind.BAD_SCHEME,
        FetchErrorKind.INVALID_URL,
        FetchErrorKind.CONNECT_ERROR,
        FetchErrorKind.DNS_ERROR,
    }
)


class RobotsCache:
    """The robots.txt rules of each origin this run has met, while they are fresh."""

    def __init__(
        self,
        db: CrawlDatabase,
        pacer: HostPacer,
        fetch_settings: FetchSettings,
    ) -> None:
        self._db = db
        self._pacer = pacer
        self._fetch_settings = fetch_settings
        self._user_agent = fetch_settings.user_agent
        self._robots: dict[str, RobotsRules] = {}

    async def rules_for(self, client: httpx.AsyncClient, claim: Claim) -> RobotsRules:
        """The rules for ``claim``'s URL; ``FetchError`` when its host may not be reached."""
        # urlsplit, not httpx.URL: this runs for every URL and httpx's parser costs more
        # than the rest of the check.
        scheme, netloc, *_ = urlsplit(claim.url)
        origin = f"{scheme}://{netloc}/"
        rules = self._robots.get(origin)
        if rules is not None and rules.expires_at > time.monotonic():
            return rules
        rules = await self._db.call_short(self._shared_robots, claim.host)
        if rules is not None:  # another worker (or an earlier run) fetched it
            self._pacer.apply_crawl_delay(claim.host, rules.crawl_delay(self._user_agent))
            self._robots[origin] = rules
            return rules
        async with self._pacer.turn(claim.host):
            try:
                document = await fetch_document(client, origin + "robots.txt", self._fetch_settings)
                status, body = document.status, document.body
            except FetchError as error:
                if error.kind in _REFUSED_KINDS:
                    raise  # the host itself may not be reached: its URLs fail, not wait
                status, body = None, None
            rules = self._robots[origin] = robots_rules(status, body, time.monotonic())
            # Inside the turn, so the gap after this very request already honours it.
            self._pacer.apply_crawl_delay(claim.host, rules.crawl_delay(self._user_agent))
        fetched = StoredRobots(status, body, datetime.now(UTC))
        await self._db.call_short(self._share_robots, claim.host, fetched)
        return rules

    def _shared_robots(self, host: str) -> RobotsRules | None:
        """The host's robots.txt as stored by whoever fetched it, if still fresh."""
        with self._db.store.read() as conn:
            stored = stored_robots(conn, host)
        if stored is None:
            return None
        age = (datetime.now(UTC) - stored.fetched_at).total_seconds()
        rules = robots_rules(stored.status, stored.body, time.monotonic() - age)
        return rules if rules.expires_at > time.monotonic() else None

    def _share_robots(self, host: str, robots: StoredRobots) -> None:
        with self._db.serialised(), self._db.store.write() as conn:
            store_robots(conn, host, robots)
