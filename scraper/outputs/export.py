"""Write stored articles out, streamed from the database in constant memory.

``article_record`` is the one place that decides what an exported article looks
like (described by ``schema/article.schema.json``, version ``SCHEMA_VERSION``,
carried by every record); each format is a writer over those records,
registered in ``WRITERS``:

- ``jsonl``: one JSON object per line;
- ``csv``: a header row, then one row per article; list fields (authors, tags,
  urls) are JSON arrays in their cell, nulls are empty cells;
- ``parquet``: the same columns with list types, written ``PARQUET_BATCH`` rows
  per row group, so memory stays flat however many articles there are.

``export_to_path`` writes to a temporary file next to the target and renames it
at the end, so a killed export never leaves a half file under the final name.
"""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import ColumnElement

from scraper.storage.models import ArticleRow
from scraper.storage.store import Store, StoredArticle, site_condition

SCHEMA_VERSION = "1.0"
PARQUET_BATCH = 1000  # articles per row group

EXACT = "exact"  # every distinct text (articles are already unique by content hash)
NEAR = "near"  # also leave out near-copies of an earlier article
DEDUP_MODES = (EXACT, NEAR)

# Column types of the export, in record order; also the Parquet schema.
ARROW_SCHEMA = pa.schema(
    [
        ("schema_version", pa.string()),
        ("article_id", pa.int64()),
        ("content_hash", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("authors", pa.list_(pa.string())),
        ("published", pa.string()),
        ("modified", pa.string()),
        ("language", pa.string()),
        ("url", pa.string()),
        ("canonical_url", pa.string()),
        ("site_name", pa.string()),
        ("description", pa.string()),
        ("section", pa.string()),
        ("tags", pa.list_(pa.string())),
        ("image", pa.string()),
        ("word_count", pa.int64()),
        ("first_seen", pa.string()),
        ("last_seen", pa.string()),
        ("urls", pa.list_(pa.string())),
        ("duplicate_of", pa.int64()),
        ("cleaner_version", pa.string()),
    ],
    metadata={"schema_version": SCHEMA_VERSION},
)
FIELDS = tuple(ARROW_SCHEMA.names)
LIST_FIELDS = frozenset(f.name for f in ARROW_SCHEMA if pa.types.is_list(f.type))


@dataclass(frozen=True, slots=True)
class ExportFilter:
    """Which articles to export; every condition given must hold."""

    since: datetime | None = None  # first seen at or after
    language: str | None = None  # ISO 639-1 code, as detected
    site: str | None = None  # host, subdomains included ("example.fr" takes "www.example.fr")
    min_words: int = 0
    dedup: str = EXACT

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filter as conditions on the ``articles`` table (``since`` is passed apart)."""
        if self.dedup not in DEDUP_MODES:
            raise ValueError(f"unknown dedup mode {self.dedup!r} (known: {', '.join(DEDUP_MODES)})")
        conditions: list[ColumnElement[bool]] = []
        if self.language is not None:
            conditions.append(ArticleRow.language == self.language.lower())
        if self.site is not None:
            conditions.append(site_condition(self.site))
        if self.min_words > 0:
            conditions.append(ArticleRow.word_count >= self.min_words)
        if self.dedup == NEAR:
            conditions.append(ArticleRow.duplicate_of.is_(None))
        return conditions


def article_record(article: StoredArticle) -> dict[str, Any]:
    """One article as plain JSON-ready values: lists for tuples, ISO-8601 for datetimes."""
    return {
        "schema_version": SCHEMA_VERSION,
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
        "duplicate_of": article.duplicate_of,
        "cleaner_version": article.cleaner_version,
    }


def iter_records(store: Store, filters: ExportFilter = ExportFilter()) -> Iterator[dict[str, Any]]:
    """The export records of the articles ``filters`` selects, by id."""
    articles = store.iter_articles(since=filters.since, where=filters.conditions())
    return (article_record(article) for article in articles)


def write_jsonl_records(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    with _text(out) as text:
        count = 0
        for record in records:
            text.write(json.dumps(record, ensure_ascii=False))
            text.write("\n")
            count += 1
    return count


def write_csv_records(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    with _text(out) as text:
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(FIELDS)
        count = 0
        for record in records:
            writer.writerow(_csv_cell(name, record[name]) for name in FIELDS)
            count += 1
    return count


def write_parquet_records(records: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    count = 0
    with pq.ParquetWriter(out, ARROW_SCHEMA, compression="zstd") as writer:
        iterator = iter(records)
        while batch := list(islice(iterator, PARQUET_BATCH)):
            writer.write_table(pa.Table.from_pylist(batch, schema=ARROW_SCHEMA))
            count += len(batch)
    return count


Writer = Callable[[Iterable[dict[str, Any]], BinaryIO], int]

WRITERS: dict[str, Writer] = {
    "jsonl": write_jsonl_records,
    "csv": write_csv_records,
    "parquet": write_parquet_records,
}
TEXT_FORMATS = frozenset({"jsonl", "csv"})  # the ones that can go to a terminal


def export_articles(
    store: Store, out: BinaryIO, fmt: str = "jsonl", filters: ExportFilter = ExportFilter()
) -> int:
    """Write the selected articles to ``out`` as ``fmt``; returns how many were written."""
    return _writer(fmt)(iter_records(store, filters), out)


def export_to_path(
    store: Store,
    path: str | os.PathLike[str],
    fmt: str = "jsonl",
    since: datetime | None = None,
    filters: ExportFilter | None = None,
) -> int:
    """Export to ``path`` atomically: a temporary file in the same directory, renamed at the end.

    ``since`` is short for ``filters=ExportFilter(since=...)``. Raises
    ``ValueError`` for an unknown format; on any error the temporary file is
    removed and an existing file at ``path`` is left untouched.
    """
    writer = _writer(fmt)
    selection = filters if filters is not None else ExportFilter(since=since)
    with atomic_file(path) as out:
        return writer(iter_records(store, selection), out)


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A new binary file that appears at ``path`` only once the block has succeeded.

    It is written as a temporary file in the same directory (so the final rename
    stays on one file system and is atomic), synced, then renamed over ``path``.
    On any error the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("xb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _writer(fmt: str) -> Writer:
    try:
        return WRITERS[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(WRITERS)})") from None


@contextmanager
def _text(out: BinaryIO) -> Iterator[io.TextIOWrapper]:
    """``out`` as UTF-8 text for the duration of a block, then handed back still open."""
    wrapper = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        yield wrapper
    finally:
        wrapper.flush()
        wrapper.detach()  # closing the wrapper would close ``out``


def _csv_cell(name: str, value: Any) -> Any:
    if name in LIST_FIELDS:
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value
