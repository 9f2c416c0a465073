"""The process context of the crawl's and reclean's worker pools, and this process's name."""

from __future__ import annotations

import multiprocessing
import os
import socket
import uuid
from multiprocessing.context import ForkServerContext


def worker_context() -> ForkServerContext:
    """A forkserver context whose server has the cleaner imported and its model loaded.

    forkserver, not fork: the crawl and reclean run threads, and forking a threaded
    process can copy a lock in a held state. Not spawn: every worker would import the
    cleaner and load the language model itself (about 1.4 s of CPU each), where the
    forkserver does it once (``scraper.worker_preload``) and its workers share it.
    Only the first pool of a process starts the server; later ones reuse it.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", "scraper.worker_preload"])
    return context


def worker_id() -> str:
    """A name for this worker, unique across machines and restarts, readable in the tables."""
    return f"{socket.gethostname()[:64]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
