"""Raw archive: every fetched body and its headers, zstd-compressed, next to its fetch row.

The page is written by the same transaction as its fetch row and article (see
``Store.save``), so a crash never leaves an article without its page or a page
without its fetch. ``scrape reclean`` reads the pages back from here. Why the
database and not WARC files is argued in docs/nlp.md ("Raw archive").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import zstandard
from sqlalchemy import Connection, insert

from scraper.records import FetchResult
from scraper.storage.models import RawPageRow

CODEC = "zstd"
# Level 3 (zstd's default) compresses news HTML about 5:1 at several hundred MB/s:
# cheap enough for the crawl's writer thread.
COMPRESSION_LEVEL = 3

_raw_pages = RawPageRow.__table__
_INSERT = insert(_raw_pages)  # built once, run with parameters: its compiled form is cached


@dataclass(frozen=True, slots=True)
class RawPage:
    """A response body exactly as fetched (decompressed from transfer encoding) and its headers."""

    body: bytes
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, page: FetchResult) -> RawPage:
        return cls(page.body, page.headers)

    @property
    def header_map(self) -> dict[str, str]:
        return dict(self.headers)


def archive_pages(conn: Connection, pages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """Store pages ``pack`` made, each for its fetch id, inside the caller's transaction."""
    if pages:
        conn.execute(_INSERT, [{"fetch_id": fetch_id, **packed} for fetch_id, packed in pages])


def pack(raw: RawPage) -> dict[str, Any]:
    """The ``raw_pages`` column values of ``raw`` (without ``fetch_id``).

    Compressing is the costly part of archiving: callers do it before their write
    transaction (see ``scraper.storage.prepare``).
    """
    compressor = zstandard.ZstdCompressor(level=COMPRESSION_LEVEL)
    return {
        "headers": [list(pair) for pair in raw.headers],
        "codec": CODEC,
        "size": len(raw.body),
        "body": compressor.compress(raw.body),
    }


def unpack(codec: str, body: bytes, headers: list[list[str]]) -> RawPage:
    """The page stored as ``codec``-compressed ``body`` with its ``headers`` column."""
    if codec != CODEC:
        raise ValueError(f"unknown raw page codec {codec!r}")
    return RawPage(
        zstandard.ZstdDecompressor().decompress(body),
        tuple((name, value) for name, value in headers),
    )
