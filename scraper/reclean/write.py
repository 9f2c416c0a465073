"""Writing a reclean's results: changed texts and metadata, merges, near-duplicate links.

- same text: the metadata and ``cleaner_version`` are refreshed;
- new text: text, hash, word count and metadata are replaced, and the
  article's near-duplicate bands and links, and those of later articles
  that depended on it, are recomputed;
- new text equal to another article's: the two are one article now; the
  later row is merged into the earlier (URLs and fetches move over);
- no text at all: the article is left as it was (a cleaner regression must
  not erase the corpus) and counted as ``empty``.

Each function runs in the caller's write transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, or_, select, update

from scraper.errors import StorageError
from scraper.reclean.clean import CleanedPage
from scraper.storage.models import ArticleRow, ArticleUrlRow, FetchRow
from scraper.storage.neardup import Signature, index_articles, relink_later

# Deadlock, serialisation failure, unique violation (two recleaners gave two articles one
# text at once): the next attempt sees the other's commit and merges instead.
_TRANSIENT_SQLSTATES = frozenset({"40P01", "40001", "23505"})

_articles = ArticleRow.__table__
_urls = ArticleUrlRow.__table__
_fetches = FetchRow.__table__


@dataclass(slots=True)
class WriteCounts:
    changed: int = 0
    unchanged: int = 0
    merged: int = 0
    empty: int = 0


def is_transient(exc: StorageError) -> bool:
    sqlstate = getattr(getattr(exc.__cause__, "orig", None), "sqlstate", None)
    return sqlstate in _TRANSIENT_SQLSTATES


def apply_cleaned(
    conn: Connection, batch: list[CleanedPage], version: str, threshold: float
) -> WriteCounts:
    counts = WriteCounts()
    # Same text: one UPDATE per set of changed columns (most often the version alone).
    same_text: defaultdict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    new_texts: list[CleanedPage] = []
    for cleaned in batch:
        if cleaned.digest is None:
            counts.empty += 1
        elif cleaned.digest == cleaned.stored_hash:
            counts.unchanged += 1
            # The stored text stays (it differs, if at all, in spacing or case only): the
            # UPDATE leaves out text, and title unless new, so the search index is untouched.
            values = {**cleaned.changes, "cleaner_version": version}
            values.pop("text", None)
            same_text[frozenset(values)].append({"article_id": cleaned.article_id, **values})
        else:
            new_texts.append(cleaned)
    for rows in same_text.values():
        conn.execute(_UPDATE_ARTICLE, rows)
    if new_texts:
        _replace_texts(conn, new_texts, version, threshold, counts)
    return counts


def _replace_texts(
    conn: Connection, batch: list[CleanedPage], version: str, threshold: float, counts: WriteCounts
) -> None:
    """Store new texts (in id order), merging articles that now read the same, and re-index."""
    parameters = {
        "ids": [cleaned.article_id for cleaned in batch],
        "digests": [cleaned.digest for cleaned in batch],
    }
    rows = conn.execute(_SELVES_AND_TWINS, parameters).all()
    alive = {article_id for article_id, _ in rows}
    holder = {digest: article_id for article_id, digest in rows}  # kept current below
    updates: list[dict[str, Any]] = []
    signatures: dict[int, Signature | None] = {}
    gone: list[int] = []
    for cleaned in batch:
        article_id, digest = cleaned.article_id, cleaned.digest
        if article_id not in alive:  # merged into another article earlier in this run
            continue
        twin = holder.get(digest) if digest is not None else None
        if twin == article_id:  # another recleaner stored this very text since we read it
            twin = None
        if twin is not None and twin < article_id:
            _merge(conn, keep=twin, drop=article_id)
            alive.discard(article_id)
            gone.append(article_id)
            counts.merged += 1
            continue
        if twin is not None:
            _merge(conn, keep=article_id, drop=twin)
            alive.discard(twin)
            gone.append(twin)
            counts.merged += 1
        else:
            counts.changed += 1
        if holder.get(cleaned.stored_hash) == article_id:
            del holder[cleaned.stored_hash]
        holder[digest] = article_id
        values = {**cleaned.changes, "content_hash": digest, "cleaner_version": version}
        updates.append({"article_id": article_id, **values})
        signatures[article_id] = cleaned.signature
    if updates:  # in id order: a hash one article gives up is free for the next
        conn.execute(_UPDATE_ARTICLE, updates)
    index_articles(conn, signatures, threshold)
    relink_later(conn, [*signatures, *gone], threshold)


def _merge(conn: Connection, *, keep: int, drop: int) -> None:
    """Make ``drop`` part of ``keep``: its URLs and fetches move, its row (and bands) go."""
    seen = conn.execute(
        select(func.min(_articles.c.first_seen), func.max(_articles.c.last_seen)).where(
            _articles.c.id.in_((keep, drop))
        )
    ).one()
    conn.execute(update(_urls).where(_urls.c.article_id == drop).values(article_id=keep))
    conn.execute(update(_fetches).where(_fetches.c.article_id == drop).values(article_id=keep))
    conn.execute(delete(_articles).where(_articles.c.id == drop))
    conn.execute(_UPDATE_ARTICLE, {"article_id": keep, "first_seen": seen[0], "last_seen": seen[1]})


# Built once: they run for every batch. The columns to set are the execution
# parameters other than ``article_id``.
_UPDATE_ARTICLE = update(_articles).where(_articles.c.id == bindparam("article_id"))
_SELVES_AND_TWINS = select(_articles.c.id, _articles.c.content_hash).where(
    or_(
        _articles.c.id.in_(bindparam("ids", expanding=True)),
        _articles.c.content_hash.in_(bindparam("digests", expanding=True)),
    )
)
