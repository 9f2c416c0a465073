"""Log output of ``scrape`` and its worker processes: one line a record, traces with ``--debug``.

The command line and every worker process it starts log through this setup, so an
error in a worker reaches the terminal (or cron mail) as one line, never as a
traceback; ``scrape --debug`` logs the full trace, and this package's debug records.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

FORMAT = "scrape: %(levelname)s: %(message)s"
OWN_LOGGER = "scraper"  # the package's loggers are its children


class OneLineFormatter(logging.Formatter):
    """A record in one line: an exception attached to it is named, its traceback left out."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        error = record.exc_info[1] if record.exc_info else None
        if error is not None:
            message = f"{message} ({type(error).__name__}: {error})"
        record.message = " ".join(message.split())
        return self.formatMessage(record)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to ``sys.stderr`` as it is when a record comes (click's test runner swaps it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # always the current sys.stderr


def configure_logging(debug: bool = False) -> None:
    """Warnings and errors on stderr in one line each; with ``debug``, debug records and traces.

    Called again (a worker process, a second command in one process), it replaces its
    own handler and leaves any other alone.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(FORMAT) if debug else OneLineFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(OWN_LOGGER).setLevel(logging.DEBUG if debug else logging.NOTSET)


def debug_enabled() -> bool:
    """Whether ``--debug`` is on: worker processes are started with the same setting."""
    return logging.getLogger(OWN_LOGGER).isEnabledFor(logging.DEBUG)
