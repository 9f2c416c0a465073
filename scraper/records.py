"""Frozen records passed between the stages of the pipeline, and the cleaner's type."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cleaners import Article

# The cleaner a stage runs: ``cleaners.extract`` or a partial of it (picklable, so that
# worker processes can receive it).
Extractor = Callable[..., Article]


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One successful HTTP fetch (or one saved page read from disk).

    ``body`` is the raw, decompressed bytes; ``headers`` keeps the response
    headers with lower-cased names so the cleaner can read the charset.
    """

    requested_url: str
    final_url: str
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    content_type: str | None = None
    elapsed: float = 0.0
    fetched_at: datetime | None = None
    redirects: tuple[str, ...] = field(default=())

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return None

    @property
    def header_map(self) -> dict[str, str]:
        return dict(self.headers)


@dataclass(frozen=True, slots=True)
class FetchAttempt:
    """What the ``fetches`` table records about one attempt, successful or not."""

    requested_url: str
    fetched_at: datetime
    final_url: str | None = None
    status: int | None = None
    content_type: str | None = None
    byte_count: int | None = None
    elapsed: float | None = None
    error_kind: str | None = None
    error_message: str | None = None


@dataclass(frozen=True, slots=True)
class SaveResult:
    """Outcome of storing one target: ``status`` is new, duplicate or failed."""

    status: str
    article_id: int | None = None
    content_hash: str | None = None
