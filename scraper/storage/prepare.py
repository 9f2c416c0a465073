"""Preparing a save: the CPU work of storing one target, done before any database work.

Hashing, signing, paragraph counting and compression cost CPU but no database: a
crawl worker does them before it takes the write lock, and ``scraper.storage.write``
then only runs statements. Every URL is kept as its ``scraper.urls.url_key``, so
``?utm_source=…``, ``www.`` or ``?amp=1`` variants of one address lead to one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cleaners import Article, content_hash
from scraper.records import FetchAttempt
from scraper.storage.archive import RawPage, pack
from scraper.storage.boilerplate import boilerplate_share, countable_hashes
from scraper.storage.neardup import Signature, signature
from scraper.urls import host_of, url_key

# Kinds of the URLs handed to ``Store.save``, in the order they come.
URL_KINDS = ("requested", "final", "canonical")
EXTRA_URL_KIND = "other"


@dataclass(frozen=True, slots=True)
class PreparedSave:
    """A target ready for ``Store.save_prepared``: everything but the database work done."""

    attempt: FetchAttempt
    article: Article | None  # None, or without text: only the fetch row is written
    digest: str | None  # the article's content hash
    host: str | None
    url_keys: tuple[tuple[str, str], ...]  # (url_key, kind) of each URL, first kind kept
    signature: Signature | None
    paragraphs: frozenset[str]  # countable toward the host's boilerplate
    raw: dict[str, Any] | None  # the raw archive's columns (``scraper.storage.archive.pack``)
    boilerplate_share: float | None = None  # ``fetches.boilerplate_share``


def prepare_save(
    attempt: FetchAttempt,
    article: Article | None,
    urls: Sequence[str | None],
    raw: RawPage | None = None,
    *,
    near_signature: Signature | None = None,
) -> PreparedSave:
    """Do the CPU work of ``Store.save`` (arguments as there), without touching the database."""
    packed = pack(raw) if raw is not None else None
    digest = _hash_or_none(attempt, article)
    if article is None or digest is None:
        return PreparedSave(attempt, article, None, None, (), None, frozenset(), packed)
    return PreparedSave(
        attempt=attempt,
        article=article,
        digest=digest,
        host=first_host(attempt.final_url, attempt.requested_url, article.url),
        url_keys=_url_keys(urls),
        signature=near_signature or signature(article.text),
        paragraphs=countable_hashes(article),
        raw=packed,
        boilerplate_share=boilerplate_share(article),
    )


def first_host(*urls: str | None) -> str | None:
    """The host of the first of ``urls`` that has one."""
    for url in urls:
        if url is None:
            continue
        try:
            return host_of(url)
        except ValueError:
            continue
    return None


def _hash_or_none(attempt: FetchAttempt, article: Article | None) -> str | None:
    if attempt.error_kind is not None or article is None or article.is_empty:
        return None
    try:
        return content_hash(article.text)
    except ValueError:  # only invisible characters: nothing left to hash
        return None


def _url_keys(urls: Sequence[str | None]) -> tuple[tuple[str, str], ...]:
    """(url_key, kind) of every valid URL; a key met twice keeps its first kind."""
    kinds: dict[str, str] = {}
    for position, url in enumerate(urls):
        if url is None:
            continue
        try:
            key = url_key(url)
        except ValueError:  # a file path, or a broken canonical link
            continue
        kinds.setdefault(key, URL_KINDS[position] if position < len(URL_KINDS) else EXTRA_URL_KIND)
    return tuple(kinds.items())
