"""The exception tree of the scraper.

::

    ScraperError
    ├── ConfigError             bad sources file, bad option value
    ├── FetchError(url, kind)   the page could not be fetched (see FetchErrorKind)
    ├── RunLockedError          another run holds the database (exit code 75)
    └── StorageError            the database refused a read or a write
        ├── MigrationError      the schema could not be brought to head
        └── DatabaseUnavailableError      the database cannot be used for now (exit code 69)
            ├── DatabaseUnreachableError  the server is down or the connection was lost
            ├── DatabaseLockedError       SQLite: locked by another program past the busy timeout
            └── DatabaseOutageError       still unavailable after the outage limit

Only the CLI turns these into messages and exit codes. A duplicate article is
not an error: saving returns whether the article was new.
"""

from __future__ import annotations


class ScraperError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(ScraperError):
    """A configuration file or option is invalid. The message names the key or line."""


class FetchErrorKind:
    """Values of ``FetchError.kind``; also stored in ``fetches.error_kind``."""

    TIMEOUT = "timeout"
    CONNECT_ERROR = "connect_error"
    DNS_ERROR = "dns_error"
    READ_ERROR = "read_error"  # connection reset or body shorter than announced
    HTTP_STATUS = "http_status"
    TOO_LARGE = "too_large"
    NOT_HTML = "not_html"
    REDIRECT_LOOP = "redirect_loop"
    BAD_SCHEME = "bad_scheme"
    BLOCKED_ADDRESS = "blocked_address"
    ROBOTS = "robots"
    INVALID_URL = "invalid_url"
    FILE_ERROR = "file_error"  # a saved page on disk could not be read
    EMPTY = "empty"  # the cleaner found no article text (reason in the message)


_TRANSIENT_KINDS = frozenset(
    {FetchErrorKind.TIMEOUT, FetchErrorKind.CONNECT_ERROR, FetchErrorKind.READ_ERROR}
)
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


def is_retryable(kind: str | None, status: int | None) -> bool:
    """Timeouts, broken connections, 408/425/429 and 5xx are worth another try.

    The crawl retries them; ``scrape health`` tells them from failures for good.
    """
    if kind in _TRANSIENT_KINDS:
        return True
    return status is not None and (status in _TRANSIENT_STATUSES or status >= 500)


class FetchError(ScraperError):
    """A page could not be fetched; ``kind`` is machine-readable, the message human."""

    def __init__(self, url: str, kind: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{url}: {kind}: {message}")
        self.url = url
        self.kind = kind
        self.message = message
        self.status = status

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str, str], dict[str, object]]:
        # Crawl workers raise it in another process: it must survive pickling.
        return (type(self), (self.url, self.kind, self.message), {"status": self.status})


class RunLockedError(ScraperError):
    """Another run already holds the lock on this database."""


class StorageError(ScraperError):
    """The database refused an operation."""


class MigrationError(StorageError):
    """The database schema could not be upgraded."""


class DatabaseUnavailableError(StorageError):
    """The database cannot be used for now; trying again later may work (``storage.outage``)."""


class DatabaseUnreachableError(DatabaseUnavailableError):
    """The database server refused the connection, is shutting down, or dropped the connection."""


class DatabaseLockedError(DatabaseUnavailableError):
    """SQLite: another connection held the database locked for longer than the busy timeout."""


class DatabaseOutageError(DatabaseUnavailableError):
    """The database stayed unavailable for longer than the outage limit: time to give up."""
