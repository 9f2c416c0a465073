"""One crawl at a time per database: an flock on ``<db>.lock`` next to the SQLite file.

The kernel drops an flock when its holder dies, even on kill -9, so a crashed
run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scraper.errors import RunLockedError


def lock_path_for(db_path: str | Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".lock")


@contextmanager
def run_lock(db_path: str | Path) -> Iterator[Path]:
    """Hold the run lock for ``db_path`` or raise ``RunLockedError`` at once."""
    path = lock_path_for(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(
                f"another crawl (pid {holder}) is already running on {db_path} (lock {path})"
            ) from exc
        # The pid is only for the message above; the flock is the lock.
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)
