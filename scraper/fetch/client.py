"""Get one page over HTTP (sync or async) or from a saved file, as a ``FetchResult``.

Both HTTP entry points drive the same ``PageFetch`` policy object, which holds
every rule: request headers and timeouts, manual redirects (at most
``max_redirects``), status and content-type checks made from the headers alone,
the size cap enforced while the body streams, the per-page deadline, and the
translation of httpx exceptions into ``FetchError``. The drivers only do I/O.

The client is injected, so callers choose the transport (tests, the address
guard of a crawl). Nothing here restricts the address a user typed.
"""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from datetime import UTC, datetime
from pathlib import Path

import httpx

from scraper.config import FetchSettings
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch.decompress import BodyDecoder, body_decoder
from scraper.records import FetchResult

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
SNIFF_BYTES = 512
# Lower-cased starts of a document that is HTML even without a Content-Type.
HTML_SIGNATURES = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--", b"<meta", b"<title")
SAVED_PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
DEFAULT_SETTINGS = FetchSettings()  # frozen, so safe to share as a default argument


def fetch_page(
    client: httpx.Client, url: str, settings: FetchSettings = DEFAULT_SETTINGS
) -> FetchResult:
    """Fetch ``url`` with ``client``; raise ``FetchError`` when no HTML page can be had."""
    page = PageFetch(url, settings)
    try:
        while True:
            with client.stream(
                "GET", page.current_url, headers=page.request_headers, timeout=page.timeout()
            ) as response:
                if page.follow_redirect(response):
                    continue
                page.check_headers(response)
                if response.is_stream_consumed:  # built in memory, e.g. by MockTransport
                    page.add_chunk(response.content)
                else:
                    for raw in response.iter_raw():
                        page.add_raw(raw)
                return page.result(response)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise page.error_from(exc) from exc


async def fetch_page_async(
    client: httpx.AsyncClient, url: str, settings: FetchSettings = DEFAULT_SETTINGS
) -> FetchResult:
    """The asyncio twin of ``fetch_page``: same rules, same errors."""
    page = PageFetch(url, settings)
    try:
        while True:
            async with client.stream(
                "GET", page.current_url, headers=page.request_headers, timeout=page.timeout()
            ) as response:
                if page.follow_redirect(response):
                    continue
                page.check_headers(response)
                if response.is_stream_consumed:  # built in memory, e.g. by MockTransport
                    page.add_chunk(response.content)
                else:
                    async for raw in response.aiter_raw():
                        page.add_raw(raw)
                return page.result(response)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise page.error_from(exc) from exc


class PageFetch:
    """The rules for getting one page, independent of sync or async I/O.

    A mutable helper confined to one call of a fetch function: it tracks the
    current URL along the redirect chain, the body received so far and the clock.
    """

    def __init__(self, url: str, settings: FetchSettings) -> None:
        self.requested_url = url
        self.current_url = url
        self.settings = settings
        self.request_headers = {
            "User-Agent": settings.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self.redirects: list[str] = []
        self._started = time.monotonic()
        self._fetched_at = datetime.now(UTC)
        self._chunks: list[bytes] = []
        self._size = 0
        self._sniffed = False
        self._decoder: BodyDecoder = body_decoder(None, settings.max_bytes)
        check_scheme(url)

    def time_left(self) -> float:
        left = self.settings.deadline - (time.monotonic() - self._started)
        if left <= 0:
            raise FetchError(
                self.current_url,
                FetchErrorKind.TIMEOUT,
                f"page deadline of {self.settings.deadline:g} s exceeded",
            )
        return left

    def timeout(self) -> httpx.Timeout:
        """Timeouts for the next request, never beyond what is left of the page deadline."""
        left = self.time_left()
        read = min(self.settings.read_timeout, left)
        return httpx.Timeout(
            connect=min(self.settings.connect_timeout, left), read=read, write=read, pool=left
        )

    def follow_redirect(self, response: httpx.Response) -> bool:
        """Move to the redirect target if ``response`` is a redirect; True when it was one."""
        location = response.headers.get("location")
        if response.status_code not in REDIRECT_STATUSES or not location:
            return False
        target = str(response.url.join(location))
        check_scheme(target)
        self.redirects.append(self.current_url)
        if len(self.redirects) > self.settings.max_redirects:
            raise FetchError(
                self.requested_url,
                FetchErrorKind.REDIRECT_LOOP,
                f"more than {self.settings.max_redirects} redirects (last to {target})",
            )
        self.current_url = target
        return True

    def check_headers(self, response: httpx.Response) -> None:
        """Refuse the page from its status and headers, before any body byte is read."""
        url = str(response.url)
        if response.status_code >= 300:
            raise FetchError(
                url,
                FetchErrorKind.HTTP_STATUS,
                f"HTTP {response.status_code} {response.reason_phrase}".rstrip(),
                status=response.status_code,
            )
        media_type = media_type_of(response.headers.get("content-type"))
        if media_type is not None and media_type not in HTML_TYPES:
            raise FetchError(url, FetchErrorKind.NOT_HTML, f"content type {media_type} is not HTML")
        self._sniffed = media_type is not None
        self._decoder = body_decoder(
            response.headers.get("content-encoding"), self.settings.max_bytes
        )
        announced = response.headers.get("content-length", "")
        if announced.isdigit() and int(announced) > self.settings.max_bytes:
            raise FetchError(url, FetchErrorKind.TOO_LARGE, self._too_large(f"{announced} bytes"))

    def add_raw(self, raw: bytes) -> None:
        """Decompress one network chunk piece by piece, so a bomb meets the cap early."""
        for piece in self._decoder.decode(raw):
            self.add_chunk(piece)

    def add_chunk(self, chunk: bytes) -> None:
        """Keep one decompressed body chunk; enforce the size cap, the sniff and the deadline."""
        self._chunks.append(chunk)
        self._size += len(chunk)
        if self._size > self.settings.max_bytes:
            raise FetchError(self.current_url, FetchErrorKind.TOO_LARGE, self._too_large("body"))
        if not self._sniffed and self._size >= SNIFF_BYTES:
            self._sniff()
        self.time_left()

    def result(self, response: httpx.Response) -> FetchResult:
        for piece in self._decoder.flush():
            self.add_chunk(piece)
        if not self._sniffed:
            self._sniff()
        return FetchResult(
            requested_url=self.requested_url,
            final_url=str(response.url),
            status=response.status_code,
            body=b"".join(self._chunks),
            headers=tuple((name.lower(), value) for name, value in response.headers.multi_items()),
            content_type=response.headers.get("content-type"),
            elapsed=time.monotonic() - self._started,
            fetched_at=self._fetched_at,
            redirects=tuple(self.redirects),
        )

    def error_from(self, exc: httpx.HTTPError | httpx.InvalidURL) -> FetchError:
        """Translate an httpx exception into a ``FetchError`` for the current URL."""
        kind = error_kind(exc)
        message = str(exc) or type(exc).__name__
        return FetchError(self.current_url, kind, message)

    def _sniff(self) -> None:
        head = b"".join(self._chunks)[:SNIFF_BYTES]
        if not looks_like_html(head):
            raise FetchError(
                self.current_url,
                FetchErrorKind.NOT_HTML,
                "no content type and the body is not HTML",
            )
        self._sniffed = True

    def _too_large(self, what: str) -> str:
        return f"{what} over the limit of {self.settings.max_bytes} bytes"


def check_scheme(url: str) -> None:
    scheme = url.partition(":")[0].lower()
    if scheme not in ("http", "https"):
        raise FetchError(url, FetchErrorKind.BAD_SCHEME, "only http and https URLs can be fetched")


def media_type_of(content_type: str | None) -> str | None:
    """``"Text/HTML; charset=x"`` → ``"text/html"``; None when absent or blank."""
    if content_type is None:
        return None
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type or None


def looks_like_html(head: bytes) -> bool:
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return start.startswith(HTML_SIGNATURES)


def error_kind(exc: Exception) -> str:
    """The ``FetchErrorKind`` of an httpx exception."""
    if isinstance(exc, httpx.TimeoutException):
        return FetchErrorKind.TIMEOUT
    if isinstance(exc, httpx.ConnectError):
        if _caused_by_name_resolution(exc):
            return FetchErrorKind.DNS_ERROR
        return FetchErrorKind.CONNECT_ERROR
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchErrorKind.BAD_SCHEME
    if isinstance(exc, httpx.InvalidURL):
        return FetchErrorKind.INVALID_URL
    if isinstance(exc, httpx.ProxyError):
        return FetchErrorKind.CONNECT_ERROR
    return FetchErrorKind.READ_ERROR


def _caused_by_name_resolution(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def read_saved_page(path: str | Path, settings: FetchSettings = DEFAULT_SETTINGS) -> FetchResult:
    """Read a saved ``.html``/``.htm`` page (optionally gzip'd) as if it had been fetched.

    The URL is the file's ``file://`` URI and the status 200; there are no headers,
    so the cleaner finds the charset in the page itself. The size cap applies to
    the decompressed bytes.
    """
    file = Path(path)
    uri = file.resolve().as_uri()
    if not file.name.lower().endswith(SAVED_PAGE_SUFFIXES):
        raise FetchError(
            uri, FetchErrorKind.FILE_ERROR, "not a saved page (.html, .htm or .html.gz)"
        )
    started = time.monotonic()
    fetched_at = datetime.now(UTC)
    try:
        with file.open("rb") as raw:
            stream = gzip.GzipFile(fileobj=raw) if file.suffix.lower() == ".gz" else raw
            body = stream.read(settings.max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        # gzip.BadGzipFile is an OSError.
        raise FetchError(uri, FetchErrorKind.FILE_ERROR, str(exc) or type(exc).__name__) from exc
    if len(body) > settings.max_bytes:
        raise FetchError(
            uri, FetchErrorKind.TOO_LARGE, f"over the limit of {settings.max_bytes} bytes"
        )
    return FetchResult(
        requested_url=uri,
        final_url=uri,
        status=200,
        body=body,
        elapsed=time.monotonic() - started,
        fetched_at=fetched_at,
    )


def make_client(
    settings: FetchSettings = DEFAULT_SETTINGS, transport: httpx.BaseTransport | None = None
) -> httpx.Client:
    """A client for ``fetch_page``: redirects are ours, connections are reused across pages."""
    return httpx.Client(
        follow_redirects=False, headers={"User-Agent": settings.user_agent}, transport=transport
    )


def make_async_client(
    settings: FetchSettings = DEFAULT_SETTINGS, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """A client for ``fetch_page_async``, configured like ``make_client``."""
    return httpx.AsyncClient(
        follow_redirects=False, headers={"User-Agent": settings.user_agent}, transport=transport
    )
