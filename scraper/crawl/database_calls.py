"""The crawl's own database calls: on threads, off the event loop, through the outage gate.

Every call passes a gate (``scraper.storage.outage``): when the database goes away,
or a SQLite file stays locked, nothing new is claimed, the in-flight pages wait, and
the leases are renewed first when it is back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from functools import partial
from typing import Any, TypeVar

from scraper.storage.outage import DatabaseGate, OutagePolicy
from scraper.storage.store import Store

T = TypeVar("T")


class CrawlDatabase:
    """``store`` as the crawl's event loop uses it: two threads, one gate, one write lock.

    ``renew_leases`` runs first when the database is back after an outage.
    """

    def __init__(
        self,
        store: Store,
        policy: OutagePolicy,
        write_lock: AbstractContextManager[object] | None,
        renew_leases: Callable[[], None],
    ) -> None:
        self.store = store
        # SQLite takes one writer at a time: one lock for workers and threads
        # hands the turn over at once instead of sleeping in the busy handler.
        self._write_lock = write_lock
        self._renew_leases = renew_leases
        # Two database threads: the writer's batches can take a while, and
        # claims (and other short queries) must not queue behind them.
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl-writer")
        self._db_short = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crawl-claims")
        self.gate = DatabaseGate(policy, self._reopen)

    async def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``function`` on the writer's thread, once the gate lets it through."""
        loop = asyncio.get_running_loop()
        call = partial(function, *args, **kwargs)
        return await self.gate.call(lambda: loop.run_in_executor(self._db, call))

    async def call_short(self, function: Callable[..., T], *args: Any) -> T:
        """``function`` on the thread of short queries (claims), once the gate lets it through."""
        loop = asyncio.get_running_loop()
        call = partial(function, *args)
        return await self.gate.call(lambda: loop.run_in_executor(self._db_short, call))

    def serialised(self) -> AbstractContextManager[object]:
        """The write lock the crawl's workers share on SQLite; nothing on PostgreSQL."""
        return self._write_lock or nullcontext()

    def shutdown(self) -> None:
        self._db.shutdown()
        self._db_short.shutdown()

    async def _reopen(self) -> None:
        """The first call after an outage: the leases this worker holds, renewed."""
        await asyncio.get_running_loop().run_in_executor(self._db_short, self._renew_leases)
