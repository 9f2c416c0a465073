"""Runs in the reclean's worker processes: one archived page cleaned again and compared.

Workers do the expensive part of a reclean (decompressing, cleaning, hashing, MinHash)
and send back only what differs from the stored article.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import Any

from cleaners import content_hash
from scraper.records import Extractor
from scraper.storage.archive import unpack
from scraper.storage.neardup import Signature, signature
from scraper.storage.write import article_columns
from scraper.workers.watched_pool import page_started


@dataclass(frozen=True, slots=True)
class ArticleAsStored:
    """The article as the database holds it before this run."""

    article_id: int
    content_hash: str
    columns: dict[str, Any]  # the ``article_columns`` values: text and metadata


@dataclass(frozen=True, slots=True)
class RecleanJob:
    """One archived page to clean again, as read from the database."""

    stored: ArticleAsStored
    url: str | None
    fetched_at: datetime  # relative bylines are dated from it, as when first cleaned
    codec: str
    body: bytes
    headers: list[list[str]]
    known_boilerplate: frozenset[str]  # learned for the page's host: kept out as at fetch time


@dataclass(frozen=True, slots=True)
class CleanedPage:
    """What a worker made of a job: only what differs travels back."""

    article_id: int
    stored_hash: str
    changes: dict[str, Any]  # the ``article_columns`` whose value is new; all for a new text
    digest: str | None  # None: the cleaner found no text
    signature: Signature | None  # None: the text is the same, or has no words to sign


def clean_pages(extract: Extractor, jobs: list[RecleanJob]) -> list[CleanedPage]:
    """Runs in a worker process: ``clean_page`` for each of a chunk of jobs."""
    cleaned = []
    for index, job in enumerate(jobs):
        page_started(index)  # the pool kills a worker held too long by one page
        cleaned.append(clean_page(extract, job))
    return cleaned


def clean_page(extract: Extractor, job: RecleanJob) -> CleanedPage:
    """Runs in a worker process: decompress, clean, compare, and hash and sign new text."""
    raw = unpack(job.codec, job.body, job.headers)
    article = extract(
        raw.body,
        job.url,
        headers=raw.header_map,
        # A keyword given here would replace one bound in a partial: both sets count.
        known_boilerplate=_bound_boilerplate(extract) | job.known_boilerplate,
        fetched_at=job.fetched_at,
    )
    stored = job.stored
    nothing = CleanedPage(stored.article_id, stored.content_hash, {}, None, None)
    if article.is_empty:
        return nothing
    columns = article_columns(article)
    changes = {name: value for name, value in columns.items() if value != stored.columns[name]}
    if "text" not in changes:  # the common case: no hashing, no MinHash
        return replace(nothing, changes=changes, digest=stored.content_hash)
    try:
        digest = content_hash(article.text)
    except ValueError:  # only invisible characters
        return nothing
    if digest == stored.content_hash:  # spacing or case only: the stored text stays
        return replace(nothing, changes=changes, digest=digest)
    # Every column travels: the main process writes new texts in one statement.
    return replace(nothing, changes=columns, digest=digest, signature=signature(article.text))


def _bound_boilerplate(extract: Extractor) -> frozenset[str]:
    """The ``known_boilerplate`` already bound when ``extract`` is a partial."""
    keywords = extract.keywords if isinstance(extract, partial) else {}
    return frozenset(keywords.get("known_boilerplate", ()))
