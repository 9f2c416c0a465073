"""Full-text search over stored articles: SQLite FTS5, ranked by BM25.

The index (``articles_fts``, created by migration 0003) is an external-content
FTS5 table over ``articles.title`` and ``articles.text``; triggers keep it in
step with every insert, update and delete, reclean included. Diacritics are
folded, so "securite" finds "sécurité". Other databases have no index yet:
searching them raises ``StorageError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from scraper.errors import StorageError
from scraper.storage.models import FTS_TABLE
from scraper.storage.store import Store

DEFAULT_LIMIT = 10
TITLE_WEIGHT = 5.0  # a word in the title counts as much as five in the body
SNIPPET_WORDS = 16
HIGHLIGHT = ("[", "]")  # around each matched word in snippets

_WORD = re.compile(r"\w+")

_SEARCH = text(
    f"""
    SELECT a.id, a.title, coalesce(a.canonical_url, a.url) AS url,
           snippet({FTS_TABLE}, 1, :open, :close, '…', :words) AS snippet,
           bm25({FTS_TABLE}, :title_weight, 1.0) AS rank
    FROM {FTS_TABLE} JOIN articles AS a ON a.id = {FTS_TABLE}.rowid
    WHERE {FTS_TABLE} MATCH :query
    ORDER BY rank, a.id
    LIMIT :limit
    """
)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching article; a higher ``score`` is a better match."""

    article_id: int
    title: str | None
    url: str | None
    snippet: str
    score: float


def match_expression(query: str) -> str:
    """An FTS5 query that finds articles containing every word of ``query``.

    Each word is quoted, so punctuation and FTS5 operators typed by the user
    ("AND", "-", "*", quotes) are plain words, never syntax errors.
    """
    words = _WORD.findall(query)
    if not words:
        raise ValueError(f"nothing to search for in {query!r}")
    return " ".join(f'"{word}"' for word in words)


def search(store: Store, query: str, limit: int = DEFAULT_LIMIT) -> list[SearchHit]:
    """The ``limit`` best articles for ``query``, best first (BM25, title weighted)."""
    if store.engine.dialect.name != "sqlite":
        raise StorageError(f"{store.name}: full-text search needs a SQLite database")
    parameters = {
        "query": match_expression(query),
        "open": HIGHLIGHT[0],
        "close": HIGHLIGHT[1],
        "words": SNIPPET_WORDS,
        "title_weight": TITLE_WEIGHT,
        "limit": limit,
    }
    with store.read() as conn:
        rows = conn.execute(_SEARCH, parameters).all()
    # FTS5's bm25() is negative, lower is better; flip it so a score reads naturally.
    return [SearchHit(row.id, row.title, row.url, row.snippet, -row.rank) for row in rows]
