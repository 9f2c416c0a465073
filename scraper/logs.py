"""Log output of ``scrape`` and its worker processes: one line a record, traces with ``--debug``.

The command line and every worker process it starts log through this setup, so an
error in a worker reaches the terminal (or cron mail) as one line, never as a
traceback; ``scrape --debug`` logs the full trace, and this package's debug records.

The libraries' own records stay off the terminal unless ``--debug``: trafilatura logs
"discarding data: None" each time it finds no text in a page (several times for one
truncated page), htmldate, charset_normalizer or lxml what they make of its markup; the
command's error line gives the cleaner's reason, once.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

FORMAT = "scrape: %(levelname)s: %(message)s"
OWN_LOGGER = "scraper"  # the package's loggers are its children
OWN_PACKAGES = frozenset({"scraper", "cleaners"})  # every logger here is named after its module


class OwnRecordsOnly(logging.Filter):
    """Passes the records of this project's loggers (``scraper.…``, ``cleaners.…``) only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.partition(".")[0] in OWN_PACKAGES


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
    """Warnings and errors on stderr in one line each, this project's only; with ``debug``,
    debug records and traces, and the libraries' records too.

    Called again (a worker process, a second command in one process), it replaces its
    own handler and leaves any other alone.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(FORMAT) if debug else OneLineFormatter(FORMAT))
    if not debug:
        handler.addFilter(OwnRecordsOnly())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger(OWN_LOGGER).setLevel(logging.DEBUG if debug else logging.NOTSET)


def debug_enabled() -> bool:
    """Whether ``--debug`` is on: worker processes are started with the same setting."""
    return logging.getLogger(OWN_LOGGER).isEnabledFor(logging.DEBUG)
