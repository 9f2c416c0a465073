"""Where new URLs come from: links in pages, RSS/Atom feeds, sitemaps.

The parsers are pure (bytes in, URLs out) so the crawl can run them in its
process pool. ``fetch_document`` gets feeds, sitemaps and robots.txt, which
are not HTML pages: it sends the stored validators (conditional GET) and
reports the status instead of raising on 304/4xx/5xx, because those answers
carry meaning here (unchanged, no rules, try later).
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import feedparser
import httpx
from lxml import etree
from selectolax.lexbor import LexborHTMLParser

from scraper.config import FetchSettings
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch.client import REDIRECT_STATUSES, check_scheme, error_kind
from scraper.fetch.decompress import body_decoder
from scraper.urls import normalize_url

MAX_DOCUMENT_REDIRECTS = 5  # RFC 9309 2.3.1.2 for robots.txt; enough for feeds too
_GZIP_MAGIC = b"\x1f\x8b"
_XML_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True
)


@dataclass(frozen=True, slots=True)
class PageLinks:
    """The links of one HTML page, absolute and normalised, and its rel=canonical."""

    links: tuple[str, ...]
    canonical: str | None = None


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: an index lists other sitemaps, a urlset lists pages."""

    is_index: bool
    entries: tuple[SitemapEntry, ...]


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server said about a document last time, for a conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """The answer to a ``fetch_document``: any status, the body only for a 2xx."""

    url: str
    status: int
    body: bytes = b""
    validators: Validators = Validators()
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def unchanged(self) -> bool:
        return self.status == 304


def page_links(html: bytes | str, url: str) -> PageLinks:
    """Every ``<a href>`` of a page resolved against its URL (or ``<base href>``)."""
    tree = LexborHTMLParser(html)
    base = url
    base_node = tree.css_first("base[href]")
    if base_node is not None:
        base = _absolute(base_node.attributes.get("href") or "", url) or url
    links = _unique(
        _absolute(node.attributes.get("href") or "", base) for node in tree.css("a[href]")
    )
    canonical_node = tree.css_first('link[rel="canonical"][href]')
    canonical = None
    if canonical_node is not None:
        canonical = _absolute(canonical_node.attributes.get("href") or "", base)
    return PageLinks(links=links, canonical=canonical)


def feed_links(body: bytes, url: str) -> tuple[str, ...]:
    """Article URLs of an RSS or Atom feed, in feed order."""
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    return _unique(_absolute(entry.get("link") or "", url) for entry in parsed.entries)


def parse_sitemap(body: bytes, url: str, *, max_bytes: int) -> Sitemap:
    """A sitemap index, urlset (news sitemaps included) or plain-text list; gzip allowed.

    Raises ``FetchError`` (kind ``too_large`` or ``not_html``) for a body that
    inflates past ``max_bytes`` or is not a sitemap at all.
    """
    if body.startswith(_GZIP_MAGIC):
        body = _gunzip(body, url, max_bytes)
    stripped = body.lstrip()
    if not stripped.startswith(b"<"):
        text = stripped.decode("utf-8", "replace")
        return Sitemap(False, tuple(SitemapEntry(u) for u in _absolute_lines(text)))
    try:
        root = etree.fromstring(stripped, _XML_PARSER)
    except etree.XMLSyntaxError as exc:
        raise FetchError(url, FetchErrorKind.NOT_HTML, f"not a sitemap: {exc}") from exc
    is_index = etree.QName(root).localname == "sitemapindex"
    entries = []
    for item in root:
        if not isinstance(item.tag, str):
            continue
        fields = _child_texts(item)
        loc = _absolute(fields.get("loc", ""), url)
        if loc is not None:
            # News sitemaps often give only the publication date.
            stamp = fields.get("lastmod") or fields.get("publication_date")
            entries.append(SitemapEntry(loc, parse_w3c_datetime(stamp)))
    return Sitemap(is_index, tuple(entries))


def parse_w3c_datetime(text: str | None) -> datetime | None:
    """Sitemap dates (W3C datetime: a date, or a date-time with offset) as aware UTC."""
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC)


async def fetch_document(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    validators: Validators | None = None,
) -> Document:
    """GET a feed, sitemap or robots.txt; follows up to 5 redirects.

    A body longer than ``settings.max_bytes`` is cut there and flagged
    ``truncated`` (robots.txt only reads the first 500 KiB anyway). Network
    failures raise ``FetchError`` with the fetch layer's kinds.
    """
    headers = {"User-Agent": settings.user_agent, "Accept": "*/*"}
    if validators is not None and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators is not None and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    timeout = httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout)
    current = url
    try:
        # The per-page deadline bounds the whole exchange: a server dripping one
        # byte per read timeout would otherwise hold the host's turn for ever.
        async with asyncio.timeout(settings.deadline):
            for _ in range(MAX_DOCUMENT_REDIRECTS + 1):
                check_scheme(current)
                async with client.stream(
                    "GET", current, headers=headers, timeout=timeout
                ) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECT_STATUSES and location:
                        current = str(response.url.join(location))
                        continue
                    if not 200 <= response.status_code < 300:
                        return Document(current, response.status_code)
                    body, truncated = await _read_capped(response, settings.max_bytes)
                    return Document(
                        current,
                        response.status_code,
                        body,
                        Validators(
                            response.headers.get("etag"), response.headers.get("last-modified")
                        ),
                        truncated,
                    )
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise FetchError(current, error_kind(exc), str(exc) or type(exc).__name__) from exc
    except TimeoutError as exc:
        message = f"deadline of {settings.deadline:g} s exceeded"
        raise FetchError(current, FetchErrorKind.TIMEOUT, message) from exc
    raise FetchError(
        url, FetchErrorKind.REDIRECT_LOOP, f"more than {MAX_DOCUMENT_REDIRECTS} redirects"
    )


async def _read_capped(response: httpx.Response, max_bytes: int) -> tuple[bytes, bool]:
    # Decompressed piece by piece: a compression bomb stops at the cap, in flat memory.
    decoder = body_decoder(response.headers.get("content-encoding"), max_bytes)
    chunks: list[bytes] = []
    size = 0
    async for raw in response.aiter_raw():
        for chunk in decoder.decode(raw):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                return b"".join(chunks)[:max_bytes], True
    chunks.extend(decoder.flush())
    body = b"".join(chunks)
    return body[:max_bytes], len(body) > max_bytes


def _gunzip(body: bytes, url: str, max_bytes: int) -> bytes:
    """Inflate without ever holding more than ``max_bytes + 1`` bytes (gzip bombs)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise FetchError(url, FetchErrorKind.NOT_HTML, f"broken gzip data: {exc}") from exc
    if len(data) > max_bytes:
        raise FetchError(url, FetchErrorKind.TOO_LARGE, f"sitemap inflates past {max_bytes} bytes")
    return data


def _child_texts(item: etree._Element) -> Mapping[str, str]:
    """``{localname: text}`` for the descendants of one ``<url>``/``<sitemap>`` entry."""
    texts: dict[str, str] = {}
    for node in item.iter():
        if isinstance(node.tag, str) and node is not item and node.text and node.text.strip():
            texts.setdefault(etree.QName(node).localname, node.text.strip())
    return texts


def _absolute(href: str, base: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        return normalize_url(href, base)
    except ValueError:
        return None  # mailto:, javascript:, broken markup: not a page to crawl


def _unique(urls: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(url for url in urls if url is not None))


def _absolute_lines(text: str) -> tuple[str, ...]:
    """A text sitemap holds one absolute URL per line; anything else is skipped."""
    return _unique(_absolute(line, line) for line in text.splitlines())
