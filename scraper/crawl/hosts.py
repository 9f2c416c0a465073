"""Per-host work: one task per host claims its due URLs and works through them in turn.

Fetching is concurrent across hosts and serial within one host. A task holds its
host (``scraper.crawl.coordination``) while it works, so no other worker sends it a
request, and hands it back with the time its delay allows the next one.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import httpx

from scraper.crawl.database_calls import CrawlDatabase
from scraper.crawl.frontier import Frontier
from scraper.crawl.frontier_records import Claim, Outcome, State
from scraper.crawl.pages import PageProcessor
from scraper.crawl.politeness import HostPacer, parse_retry_after
from scraper.crawl.sources import IPNetwork
from scraper.crawl.tally import Tally
from scraper.crawl.writer import CrawlResult, ResultWriter
from scraper.fetch.netguard import AddressPolicy, AsyncGuardedTransport
from scraper.urls import host_of

CLAIM_BATCH = 32  # URLs one host task leases at a time (its leases are renewed while it works)
MAX_IN_RUN_WAIT = 60.0  # a host that asks for a longer pause is left for a later run


class HostWork:
    """Works one host at a time through ``pages``; results go to ``writer``.

    ``stopping``: once set (time or page budget spent, SIGTERM), hosts claim nothing
    more and hand back the URLs they hold.
    """

    def __init__(
        self,
        db: CrawlDatabase,
        frontier: Frontier,
        pacer: HostPacer,
        pages: PageProcessor,
        writer: ResultWriter,
        tally: Tally,
        *,
        user_agent: str,
        allow_private: tuple[IPNetwork, ...],
        max_pages: int | None,
    ) -> None:
        self._db = db
        self._frontier = frontier
        self._pacer = pacer
        self._pages = pages
        self._writer = writer
        self._tally = tally
        self._user_agent = user_agent
        self._allow_private = allow_private
        self._max_pages = max_pages
        self._tls: ssl.SSLContext = httpx.create_ssl_context()  # shared: each takes ~0.1 s
        self.stopping = False

    async def work(self, host: str) -> None:
        """Work through ``host``'s due URLs until none is left, or the run stops."""
        # A client per host task: its pool holds this host's connection only. One
        # shared pool re-checks every host's idle connection on each request,
        # which cost more CPU than the requests themselves with 50 hosts.
        async with self._client() as client:
            await self._work_host(client, host)

    def _client(self) -> httpx.AsyncClient:
        # The address guard refuses non-public addresses outside --allow-private,
        # on every hop; the response hook sees every answer, redirects included.
        transport = AsyncGuardedTransport(AddressPolicy(self._allow_private), verify=self._tls)
        return httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            headers={"User-Agent": self._user_agent},
            event_hooks={"response": [self._honour_retry_after]},
        )

    async def _honour_retry_after(self, response: httpx.Response) -> None:
        if response.status_code in (429, 503):
            seconds = parse_retry_after(response.headers.get("retry-after"))
            if seconds is not None:
                self._pacer.defer(host_of(str(response.url)), seconds)

    async def _work_host(self, client: httpx.AsyncClient, host: str) -> None:
        """Work through ``host``'s due URLs while holding the host (``crawl.coordination``)."""
        try:
            while not self.stopping and not self._pacer.is_paused(host):
                claims = await self._db.call_short(self._claim, host)
                if not claims:
                    return
                ready_at = claims[0].host_ready_at  # the previous holder's delay
                if ready_at is not None:
                    self._pacer.defer(host, (ready_at - datetime.now(UTC)).total_seconds())
                for index, claim in enumerate(claims):
                    if self.stopping or self._pacer.is_paused(host) or self._page_budget_spent():
                        self.stopping = self.stopping or self._page_budget_spent()
                        await self._release(claims[index:])
                        return
                    wait = self._pacer.ready_in(host)
                    if wait > MAX_IN_RUN_WAIT:
                        # A long Retry-After: the host's URLs wait in the database
                        # until it is ready, not in this run.
                        ready_at = datetime.now(UTC) + timedelta(seconds=wait)
                        await self._release(claims[index:], ready_at)
                        return
                    await self._writer.emit(await self._pages.process(client, claim))
        finally:
            ready_at = datetime.now(UTC) + timedelta(seconds=self._pacer.ready_in(host))
            await self._db.call_short(self._release_host, host, ready_at)

    def _page_budget_spent(self) -> bool:
        return self._max_pages is not None and self._tally.fetched >= self._max_pages

    async def _release(self, claims: Iterable[Claim], retry_at: datetime | None = None) -> None:
        retry_at = retry_at or datetime.now(UTC)
        for claim in claims:
            outcome = Outcome(claim.id, State.PENDING, retry_at=retry_at, keep_attempts=True)
            await self._writer.emit(CrawlResult(claim, outcome))

    def _claim(self, host: str) -> list[Claim]:
        with self._db.serialised():
            return self._frontier.claim(host, CLAIM_BATCH)

    def _release_host(self, host: str, ready_at: datetime) -> None:
        with self._db.serialised():
            self._frontier.release_host(host, ready_at)
