"""Which log records reach the terminal: ``scrape``'s own, not those of its libraries.

trafilatura logs "discarding data: None" each time it finds no text in a page (several
times for one truncated page), and htmldate, charset_normalizer or lxml log what they
make of a page's markup. The cleaner's reason says the same once, in the command's own
error line; the libraries' records are kept off the terminal and cron mail. A debug log
(a handler without ``OwnRecordsOnly``) still gets them.
"""

from __future__ import annotations

import logging

OWN_PACKAGES = frozenset({"scraper", "cleaners"})  # every logger here is named after its module


class OwnRecordsOnly(logging.Filter):
    """Passes the records of this project's loggers (``scraper.…``, ``cleaners.…``) only."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name.partition(".")[0] in OWN_PACKAGES


def log_own_records_to_stderr(format: str) -> None:
    """``logging.basicConfig`` on stderr at WARNING, its handler passing ``OwnRecordsOnly``.

    Handlers installed by something else (a test runner, an embedding program) are left
    as they are: only the one this call adds is filtered.
    """
    root = logging.getLogger()
    installed = list(root.handlers)
    logging.basicConfig(level=logging.WARNING, format=format)
    for handler in root.handlers:
        if handler not in installed:
            handler.addFilter(OwnRecordsOnly())
