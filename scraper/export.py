"""Write stored articles out, streamed from the database in constant memory.

``article_record`` is the one place that decides what an exported article looks
like; each format (only JSON Lines so far) is a writer over those records,
registered in ``WRITERS``. ``export_to_path`` writes to a temporary file next to
the target and renames it at the end, so a killed export never leaves a half
file under the final name.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from scraper.storage import Store, StoredArticle


def article_record(article: StoredArticle) -> dict[str, Any]:
    """One article as plain JSON-ready values: lists for tuples, ISO-8601 for datetimes."""
    return {
        "article_id": article.id,
        "content_hash": article.content_hash,
        "title": article.title,
        "text": article.text,
        "authors": list(article.authors),
        "published": article.published,
        "modified": article.modified,
        "language": article.language,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "site_name": article.site_name,
        "description": article.description,
        "section": article.section,
        "tags": list(article.tags),
        "image": article.image,
        "word_count": article.word_count,
        "first_seen": article.first_seen.isoformat(),
        "last_seen": article.last_seen.isoformat(),
        "urls": list(article.urls),
    }


def write_jsonl(store: Store, out: TextIO, since: datetime | None = None) -> int:
    """Write one JSON object per line per article first seen at or after ``since``.

    Returns the number of articles written.
    """
    count = 0
    for article in store.iter_articles(since=since):
        out.write(json.dumps(article_record(article), ensure_ascii=False))
        out.write("\n")
        count += 1
    return count


Writer = Callable[[Store, TextIO, datetime | None], int]

WRITERS: dict[str, Writer] = {"jsonl": write_jsonl}


def export_to_path(
    store: Store, path: str | os.PathLike[str], fmt: str = "jsonl", since: datetime | None = None
) -> int:
    """Export to ``path`` atomically: a temporary file in the same directory, renamed at the end.

    Raises ``ValueError`` for an unknown format; on any error the temporary file
    is removed and an existing file at ``path`` is left untouched.
    """
    try:
        writer = WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(WRITERS)})") from None
    target = Path(path)
    # Same directory, so the final rename stays on one file system and is atomic.
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("x", encoding="utf-8", newline="\n") as out:
            count = writer(store, out, since)
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return count
