"""Run locks for ``scrape crawl``, by database: whole-database on SQLite, per source on PostgreSQL.

SQLite has one writer and one crawl at a time: the flock of ``scraper.crawl.runlock``
next to the file; a second run raises ``RunLockedError`` (exit 75).

On PostgreSQL many runs share the frontier (``FOR UPDATE SKIP LOCKED``), so the
same cron line on several machines shares the work instead of exiting 75. What
must not happen twice at once is re-reading one source's feeds and sitemaps:
a run takes a session advisory lock per source and discovers only the sources
whose lock it got; it still fetches every due URL. The server drops a session's
advisory locks when its connection goes, kill -9 included.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

from scraper.crawl.runlock import run_lock
from scraper.errors import DatabaseUnreachableError
from scraper.storage.database import storage_errors

_LOCK_NAMESPACE = b"newsclean-source:"  # keeps our keys apart from other apps' advisory locks


@contextmanager
def source_locks(engine: Engine, sources: Iterable[str]) -> Iterator[frozenset[str]]:
    """Hold the run lock(s) for a crawl of ``sources``; yields the sources this run discovers.

    Raises ``RunLockedError`` when another run holds a SQLite database.
    """
    names = frozenset(sources)
    if engine.dialect.name == "sqlite":
        path = engine.url.database
        if not path or path == ":memory:":  # nobody else can open it
            yield names
            return
        with run_lock(path):
            yield names
        return
    with storage_errors(engine), engine.connect() as conn:
        # Session locks, outside any transaction: held until released or the session ends.
        conn.execution_options(isolation_level="AUTOCOMMIT")
        mine = frozenset(name for name in sorted(names) if _try_lock(conn, name))
        try:
            yield mine
        finally:
            try:
                with storage_errors(engine):
                    for name in mine:
                        unlock = text("SELECT pg_advisory_unlock(:key)")
                        conn.execute(unlock, {"key": lock_key(name)})
            except DatabaseUnreachableError:
                pass  # the session is gone, and its locks went with it


def lock_key(source: str) -> int:
    """The signed 64-bit advisory lock key of a source, the same on every machine."""
    digest = hashlib.blake2b(_LOCK_NAMESPACE + source.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _try_lock(conn: Connection, name: str) -> bool:
    statement = text("SELECT pg_try_advisory_lock(:key)")
    return bool(conn.execute(statement, {"key": lock_key(name)}).scalar_one())
