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


def hide_library_records(logger: logging.Logger | None = None) -> None:
    """Add ``OwnRecordsOnly`` to each handler of ``logger`` (the root logger), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(found, OwnRecordsOnly) for found in handler.filters):
            handler.addFilter(OwnRecordsOnly())
