"""Discovery: links in pages, feeds, sitemaps (index, urlset, news, gzip), conditional GET."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime

import httpx
import pytest
from synthetic_site import SyntheticSite, serve

from scraper.config import FetchSettings
from scraper.crawl.discover import (
    Validators,
    feed_links,
    fetch_document,
    page_links,
    parse_sitemap,
    parse_w3c_datetime,
)
from scraper.errors import FetchError, FetchErrorKind

PAGE = b"""<html><head><link rel="canonical" href="/2025/06/article/?utm_source=x"></head>
<body>
<a href="/2025/06/autre/#comments">relative, with a fragment</a>
<a href="HTTP://Exemple.FR/2025/06/majuscules/">upper-case scheme and host</a>
<a href="../remonte/">dot segments</a>
<a href="/2025/06/autre/">the same link again</a>
<a href="mailto:redaction@exemple.fr">mail</a>
<a href="javascript:void(0)">script</a>
<a href="#top">fragment only</a>
<a href="">empty</a>
<a>no href</a>
</body></html>"""


def test_page_links_are_absolute_normalised_and_unique() -> None:
    found = page_links(PAGE, "https://exemple.fr/rubrique/monde/")
    assert found.links == (
        "https://exemple.fr/2025/06/autre/",
        "http://exemple.fr/2025/06/majuscules/",
        "https://exemple.fr/rubrique/remonte/",
    )
    assert found.canonical == "https://exemple.fr/2025/06/article/?utm_source=x"


def test_base_href_changes_where_relative_links_point() -> None:
    html = b'<html><head><base href="https://cdn.exemple.fr/a/"></head><body><a href="b">x</a>'
    assert page_links(html, "https://exemple.fr/").links == ("https://cdn.exemple.fr/a/b",)


RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>un</title><link>https://exemple.fr/2025/06/un/</link></item>
<item><title>deux</title><link>/2025/06/deux/</link></item>
<item><title>sans lien</title></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
<entry><title>a</title><link href="https://exemple.fr/2025/07/a/"/><id>1</id></entry>
</feed>"""


def test_feed_links_from_rss_and_atom() -> None:
    assert feed_links(RSS, "https://exemple.fr/feed/") == (
        "https://exemple.fr/2025/06/un/",
        "https://exemple.fr/2025/06/deux/",
    )
    assert feed_links(ATOM, "https://exemple.fr/atom") == ("https://exemple.fr/2025/07/a/",)


def test_a_broken_feed_gives_no_links_rather_than_an_error() -> None:
    assert feed_links(b"<html>not a feed", "https://exemple.fr/feed/") == ()


INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://exemple.fr/sitemap-1.xml.gz</loc><lastmod>2025-06-01</lastmod></sitemap>
<sitemap><loc>https://exemple.fr/sitemap-2.xml</loc></sitemap>
</sitemapindex>"""

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://exemple.fr/2025/06/a/</loc><lastmod>2025-06-02T10:00:00+02:00</lastmod></url>
<url><loc>https://exemple.fr/2025/06/b/</loc>
  <news:news><news:publication_date>2025-06-03T08:00:00Z</news:publication_date></news:news></url>
<url><loc>https://exemple.fr/2025/06/c/</loc></url>
</urlset>"""


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(INDEX, "https://exemple.fr/sitemap.xml", max_bytes=10**6)
    assert sitemap.is_index
    assert [(e.url, e.lastmod) for e in sitemap.entries] == [
        ("https://exemple.fr/sitemap-1.xml.gz", datetime(2025, 6, 1, tzinfo=UTC)),
        ("https://exemple.fr/sitemap-2.xml", None),
    ]


@pytest.mark.parametrize("compress", [False, True])
def test_urlset_and_news_sitemap_plain_or_gzip(compress: bool) -> None:
    body = gzip.compress(URLSET) if compress else URLSET
    sitemap = parse_sitemap(body, "https://exemple.fr/s.xml", max_bytes=10**6)
    assert not sitemap.is_index
    assert [(e.url, e.lastmod) for e in sitemap.entries] == [
        ("https://exemple.fr/2025/06/a/", datetime(2025, 6, 2, 8, 0, tzinfo=UTC)),
        ("https://exemple.fr/2025/06/b/", datetime(2025, 6, 3, 8, 0, tzinfo=UTC)),
        ("https://exemple.fr/2025/06/c/", None),
    ]


def test_plain_text_sitemap() -> None:
    body = b"https://exemple.fr/a/\n\nhttps://exemple.fr/b/\nnot a url\n"
    sitemap = parse_sitemap(body, "https://exemple.fr/sitemap.txt", max_bytes=1000)
    assert [e.url for e in sitemap.entries] == ["https://exemple.fr/a/", "https://exemple.fr/b/"]


def test_a_gzip_bomb_is_stopped_at_the_cap() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    with pytest.raises(FetchError) as caught:
        parse_sitemap(bomb, "https://exemple.fr/s.xml.gz", max_bytes=100_000)
    assert caught.value.kind == FetchErrorKind.TOO_LARGE


def test_entities_are_not_expanded() -> None:
    laughs = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<urlset><url><loc>https://exemple.fr/&b;</loc></url></urlset>"""
    sitemap = parse_sitemap(laughs, "https://exemple.fr/s.xml", max_bytes=10**6)
    assert all("aaaa" not in entry.url for entry in sitemap.entries)


def test_not_a_sitemap() -> None:
    with pytest.raises(FetchError):
        parse_sitemap(b"<urlset><url>", "https://exemple.fr/s.xml", max_bytes=1000)


def test_w3c_dates() -> None:
    assert parse_w3c_datetime("2025-06-01") == datetime(2025, 6, 1, tzinfo=UTC)
    assert parse_w3c_datetime("2025-06-01T12:00:00Z") == datetime(2025, 6, 1, 12, tzinfo=UTC)
    assert parse_w3c_datetime("yesterday") is None
    assert parse_w3c_datetime(None) is None


def test_conditional_get_of_a_feed_against_a_real_server() -> None:
    site = SyntheticSite(["127.0.0.1"], articles_per_host=3)
    settings = FetchSettings()

    async def fetch_twice() -> tuple:
        async with httpx.AsyncClient() as client:
            url = site.base("127.0.0.1") + "/feed/"
            first = await fetch_document(client, url, settings)
            second = await fetch_document(client, url, settings, first.validators)
            site.add_articles("127.0.0.1", 1)
            third = await fetch_document(client, url, settings, first.validators)
            missing = await fetch_document(client, site.base("127.0.0.1") + "/nope", settings)
            return first, second, third, missing

    with serve(site):
        first, second, third, missing = asyncio.run(fetch_twice())
        sent = [r.headers.get("if-none-match") for r in site.requests() if r.path == "/feed/"]
    assert first.ok and len(feed_links(first.body, first.url)) == 3
    assert first.validators == Validators(etag='"3"')
    assert second.unchanged and second.body == b""
    assert third.ok and len(feed_links(third.body, third.url)) == 4
    assert sent == [None, '"3"', '"3"']
    assert missing.status == 404 and not missing.ok


def test_fetch_document_translates_network_errors() -> None:
    async def refused() -> None:
        async with httpx.AsyncClient() as client:
            await fetch_document(client, "http://127.0.0.1:9/robots.txt", FetchSettings())

    with pytest.raises(FetchError) as caught:
        asyncio.run(refused())
    assert caught.value.kind == FetchErrorKind.CONNECT_ERROR
