"""Write the raw archive out as a WARC file, the format of Common Crawl and web archives.

Each archived page becomes one gzip-compressed ``response`` record (warcio):
the URL it was fetched from in the end, the fetch time, the HTTP status and
headers, and the body. Bodies are archived after transfer decoding, so the
headers that described the encoded bytes (Content-Encoding, Transfer-Encoding,
Content-Length) are replaced by the length of the body actually written.
Tools that read Common Crawl (warcio, pywb, cdxj-indexer…) read the result.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import BinaryIO

from sqlalchemy import select
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.storage.archive import RawPage, unpack
from scraper.storage.models import FetchRow, RawPageRow
from scraper.storage.store import Store

READ_BATCH = 100  # pages read from the database at a time
_DECODED_AWAY = frozenset({"content-encoding", "transfer-encoding", "content-length"})

_fetches = FetchRow.__table__
_raw = RawPageRow.__table__


@dataclass(frozen=True, slots=True)
class ArchivedPage:
    """One page of the raw archive with what its fetch row says about it."""

    url: str
    fetched_at: datetime
    status: int
    page: RawPage


def iter_archived(store: Store, since: datetime | None = None) -> Iterator[ArchivedPage]:
    """Archived pages fetched at or after ``since``, in fetch order, in constant memory."""
    last_id = 0
    while True:
        query = (
            select(
                _fetches.c.id,
                _fetches.c.requested_url,
                _fetches.c.final_url,
                _fetches.c.fetched_at,
                _fetches.c.status,
                _raw.c.codec,
                _raw.c.body,
                _raw.c.headers,
            )
            .join(_raw, _raw.c.fetch_id == _fetches.c.id)
            .where(_fetches.c.id > last_id)
            .order_by(_fetches.c.id)
            .limit(READ_BATCH)
        )
        if since is not None:
            query = query.where(_fetches.c.fetched_at >= since)
        with store.read() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield ArchivedPage(
                url=row.final_url or row.requested_url,
                fetched_at=row.fetched_at,
                status=row.status or HTTPStatus.OK,
                page=unpack(row.codec, row.body, row.headers),
            )
        last_id = rows[-1].id


def write_warc(store: Store, out: BinaryIO, since: datetime | None = None) -> int:
    """Write every archived page (fetched at or after ``since``) to ``out``; returns how many."""
    writer = WARCWriter(out, gzip=True)
    count = 0
    for archived in iter_archived(store, since):
        writer.write_record(_response_record(writer, archived))
        count += 1
    return count


def _response_record(writer: WARCWriter, archived: ArchivedPage) -> ArcWarcRecord:
    body = archived.page.body
    headers = [(name, value) for name, value in archived.page.headers if name not in _DECODED_AWAY]
    headers.append(("content-length", str(len(body))))
    try:
        phrase = HTTPStatus(archived.status).phrase
    except ValueError:  # a status Python has no name for
        phrase = ""
    http_headers = StatusAndHeaders(f"{archived.status} {phrase}".strip(), headers, "HTTP/1.1")
    return writer.create_warc_record(
        archived.url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http_headers,
        warc_headers_dict={"WARC-Date": archived.fetched_at.strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
