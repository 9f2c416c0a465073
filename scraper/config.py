"""Named defaults and the frozen settings objects built from them."""

from __future__ import annotations

from dataclasses import dataclass

from scraper import __version__

DEFAULT_USER_AGENT = f"newsclean/{__version__} (+https://github.com/newsclean/newsclean)"
DEFAULT_DB_PATH = "scrape.db"
DB_ENV_VAR = "SCRAPE_DB"

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 20.0
DEFAULT_PAGE_DEADLINE = 60.0  # seconds for one page, all redirects and the body included
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_REDIRECTS = 10

SQLITE_BUSY_TIMEOUT_MS = 30_000


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    deadline: float = DEFAULT_PAGE_DEADLINE
    max_bytes: int = DEFAULT_MAX_BYTES
    max_redirects: int = DEFAULT_MAX_REDIRECTS
