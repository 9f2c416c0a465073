"""The only module that joins fetching, cleaning and storage.

One target (a URL or a saved page) goes fetch → ``cleaners.extract`` → one
``Store.save`` transaction. Every failure, fetching or cleaning, is recorded in
the ``fetches`` table and returned in the outcome rather than raised, so one bad
target never stops the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

import cleaners
from cleaners import Article
from scraper.config import FetchSettings
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch.client import DEFAULT_SETTINGS, fetch_page, read_saved_page
from scraper.records import FetchAttempt, FetchResult, SaveResult
from scraper.storage.archive import RawPage
from scraper.storage.boilerplate import known_for_url
from scraper.storage.store import Store
from scraper.urls import is_http_url


@dataclass(frozen=True, slots=True)
class TargetOutcome:
    """What became of one target: the article (if any was extracted) and how it was saved."""

    target: str
    article: Article | None
    save: SaveResult
    error: FetchError | None = None
    explanation: cleaners.Explanation | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def scrape_target(
    target: str,
    store: Store,
    client: httpx.Client,
    settings: FetchSettings = DEFAULT_SETTINGS,
    *,
    explain: bool = False,
) -> TargetOutcome:
    """Fetch (or read), clean and store one target; failures come back in the outcome.

    With ``explain`` the cleaner also reports every block it removed and why; the
    article is the same one ``extract`` would give, and is stored as usual. The cleaner
    drops the paragraphs the store has learned as boilerplate of the page's host.
    """
    started_at = datetime.now(UTC)
    try:
        page = load_page(target, client, settings)
    except FetchError as error:
        attempt = failed_attempt(requested_url(target), started_at, error)
        return TargetOutcome(target, None, store.save(attempt, None, ()), error)

    # ``explain`` is ``extract`` with a recorder: recording costs little, so one call serves
    # both, and the removed blocks are kept only when asked for.
    explained = cleaners.explain(
        page.body,
        page.final_url,
        headers=page.header_map,
        known_boilerplate=known_for_url(store, page.final_url),
        fetched_at=page.fetched_at,
    )
    article = explained.article
    explanation = explained if explain else None

    if article.is_empty:
        error = FetchError(
            page.final_url, FetchErrorKind.EMPTY, f"no article text found ({article.reason})"
        )
        save = store.save(page_attempt(page, error), None, (), RawPage.of(page))
        return TargetOutcome(target, article, save, error, explanation)

    urls = [
        url
        for url in (page.requested_url, page.final_url, article.canonical_url)
        if url and is_http_url(url)
    ]
    save = store.save(page_attempt(page), article, urls, RawPage.of(page))
    return TargetOutcome(target, article, save, None, explanation)


def load_page(target: str, client: httpx.Client, settings: FetchSettings) -> FetchResult:
    """A target with a scheme is fetched (only http/https pass); anything else is a saved page."""
    if "://" in target:
        return fetch_page(client, target, settings)
    return read_saved_page(target, settings)


def requested_url(target: str) -> str:
    return target if "://" in target else Path(target).resolve().as_uri()


def page_attempt(page: FetchResult, error: FetchError | None = None) -> FetchAttempt:
    return FetchAttempt(
        requested_url=page.requested_url,
        fetched_at=page.fetched_at or datetime.now(UTC),
        final_url=page.final_url,
        status=page.status,
        content_type=page.content_type,
        byte_count=len(page.body),
        elapsed=page.elapsed,
        error_kind=error.kind if error else None,
        error_message=error.message if error else None,
    )


def failed_attempt(url: str, started_at: datetime, error: FetchError) -> FetchAttempt:
    return FetchAttempt(
        requested_url=url,
        fetched_at=started_at,
        final_url=error.url,
        status=error.status,
        elapsed=(datetime.now(UTC) - started_at).total_seconds(),
        error_kind=error.kind,
        error_message=error.message,
    )
