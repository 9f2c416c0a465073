"""URL normalisation and the dedup key that article_urls stores."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.urls import MAX_URL_LENGTH, host_of, is_http_url, normalize_url, url_key


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("HTTP://Example.COM/Path", None, "http://example.com/Path"),
        ("https://example.com:443/a", None, "https://example.com/a"),
        ("http://example.com:80/a", None, "http://example.com/a"),
        ("http://example.com:8080/a", None, "http://example.com:8080/a"),
        ("https://example.com/a#comments", None, "https://example.com/a"),
        ("https://example.com", None, "https://example.com/"),
        ("https://example.com/a/./b/../c", None, "https://example.com/a/c"),
        ("https://example.com/a/b/..", None, "https://example.com/a/"),
        ("  https://example.com/a  ", None, "https://example.com/a"),
        ("https://example.com/été?q=ça", None, "https://example.com/%C3%A9t%C3%A9?q=%C3%A7a"),
        ("https://example.com/%c3%a9", None, "https://example.com/%C3%A9"),
        ("https://example.com/a b", None, "https://example.com/a%20b"),
        ("https://[::1]:443/x", None, "https://[::1]/x"),
        ("https://example.com./a", None, "https://example.com/a"),
        ("https://Bücher.DE/a", None, "https://bücher.de/a"),  # valid IDNA: kept
        ("https://us er:pa ss@example.com/", None, "https://us er:pa ss@example.com/"),
        # www, trailing slash and query order are the page's own spelling: kept.
        ("https://www.example.com/a/?b=2&a=1", None, "https://www.example.com/a/?b=2&a=1"),
        ("/fr/nouvelles/x", "https://example.com/en/page", "https://example.com/fr/nouvelles/x"),
        ("../x?y#z", "https://example.com/a/b/c", "https://example.com/a/x?y"),
        ("//cdn.example.com/i.jpg", "https://example.com/", "https://cdn.example.com/i.jpg"),
        ("https://other.org/", "https://example.com/", "https://other.org/"),
    ],
)
def test_normalize_url(url: str, base: str | None, expected: str) -> None:
    assert normalize_url(url, base) == expected


ONE_ARTICLE = [
    "https://www.example.com/2025/06/article/",
    "https://example.com/2025/06/article",
    "HTTPS://EXAMPLE.COM:443/2025/06/article#respond",
    "https://example.com/2025/06/article/?utm_source=twitter&utm_medium=social",
    "https://example.com/2025/06/article?fbclid=IwAR0abc",
    "https://example.com/2025/06/article?gclid=x&mc_cid=1&mc_eid=2&igshid=3&ref=home",
    "https://example.com/2025/06/article/?amp=1",
    "https://example.com/2025/06/article/?amp",
    "https://example.com/2025/06/article?outputType=amp",
    "https://www.example.com/2025/06/article/amp/",
]


@pytest.mark.parametrize("variant", ONE_ARTICLE[1:])
def test_variants_of_one_article_share_one_key(variant: str) -> None:
    assert url_key(variant) == url_key(ONE_ARTICLE[0]) == "https://example.com/2025/06/article"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("https://example.com/a", "https://example.com/b"),
        ("https://example.com/list?page=2", "https://example.com/list?page=3"),
        ("https://example.com/article?id=1", "https://example.com/article?id=2"),
        ("https://example.com/a", "https://news.example.com/a"),
        ("https://example.com/a", "https://example.com:8443/a"),
        # Only the AMP value of outputType is a rendering switch.
        ("https://example.com/a?outputType=print", "https://example.com/a"),
        ("https://example.com/camp", "https://example.com/c"),
    ],
)
def test_different_pages_keep_different_keys(first: str, second: str) -> None:
    assert url_key(first) != url_key(second)


def test_url_key_sorts_parameters_and_keeps_the_root() -> None:
    assert url_key("https://example.com/?b=2&a=1") == "https://example.com/?a=1&b=2"
    assert url_key("https://www.example.com/") == "https://example.com/"


def test_url_key_never_strips_www_down_to_a_bare_domain() -> None:
    assert url_key("https://www.com/a") == "https://www.com/a"
    assert url_key("https://www.www.example.com/a") == "https://example.com/a"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://WWW.Example.com:8080/a", "example.com"),
        ("https://news.example.com/a", "news.example.com"),
        ("http://127.0.0.2:8000/", "127.0.0.2"),
    ],
)
def test_host_of(url: str, host: str) -> None:
    assert host_of(url) == host


NOT_HTTP_URLS = [
    "",
    "   ",
    "example.com/a",
    "/relative/path",
    "mailto:someone@example.com",
    "javascript:alert(1)",
    "ftp://example.com/file",
    "file:///etc/passwd",
    "data:text/html,hi",
    "http://",
    "https://exa mple.com/",
    "http://example.com:99999/",
    "http://example.com:port/",
    "http://[::1/",
    "http://x\x1f@example.com/",
    "http://user:pa\x00ss@example.com/",
    "http://\u0cf4/",
    "http://a\u0cf4.example.com/",
    "https://example.com/" + "a" * MAX_URL_LENGTH,
]


@pytest.mark.parametrize("text", NOT_HTTP_URLS)
def test_non_urls_are_refused_cleanly(text: str) -> None:
    assert not is_http_url(text)
    with pytest.raises(ValueError):
        normalize_url(text)
    with pytest.raises(ValueError):
        url_key(text)
    with pytest.raises(ValueError):
        host_of(text)


def test_a_key_longer_than_the_limit_is_refused() -> None:
    url = "https://example.com/?q=" + "/" * 2000  # each "/" is re-encoded as "%2F"
    assert len(normalize_url(url)) <= MAX_URL_LENGTH
    with pytest.raises(ValueError, match="longer than"):
        url_key(url)


def test_is_http_url_accepts_http_and_https() -> None:
    assert is_http_url("http://127.0.0.1:8000/page.html")
    assert is_http_url("https://example.com")


# --- properties ------------------------------------------------------------------------

_segment = st.one_of(
    st.sampled_from([".", "..", "", "amp", "%41", "%zz", "a b", "été"]),
    st.text(min_size=1, max_size=8),
)
_param_name = st.one_of(
    st.sampled_from(["utm_source", "fbclid", "amp", "outputType", "ref", "page", "id", "q"]),
    st.text(min_size=1, max_size=6),
)
_query = st.lists(st.tuples(_param_name, st.text(max_size=6)), max_size=4).map(
    lambda pairs: "&".join(f"{name}={value}" for name, value in pairs)
)


@st.composite
def http_urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "HtTpS"]))
    host = draw(st.sampled_from(["example.com", "WWW.Example.com", "www.www.a.fr", "127.0.0.1"]))
    port = draw(st.sampled_from(["", ":80", ":443", ":8080"]))
    path = "/".join(draw(st.lists(_segment, max_size=5)))
    query = draw(_query)
    fragment = draw(st.text(max_size=5))
    return f"{scheme}://{host}{port}/{path}?{query}#{fragment}"


@given(st.text())
def test_arbitrary_text_gives_a_url_or_value_error(text: str) -> None:
    try:
        normalized = normalize_url(text)
    except ValueError:
        assert not is_http_url(text)
    else:
        assert is_http_url(normalized)


@given(st.text(), st.text(min_size=1), st.text())
def test_what_is_normalised_the_fetcher_takes(userinfo: str, host: str, path: str) -> None:
    with contextlib.suppress(ValueError):
        normalized = normalize_url(f"http://{userinfo}@{host}/{path}")
        httpx.URL(normalized)  # raises httpx.InvalidURL where the fetcher would refuse it


@given(st.text(), st.one_of(st.none(), st.text(), http_urls()))
def test_arbitrary_text_against_a_base_never_raises_anything_else(
    text: str, base: str | None
) -> None:
    for function in (normalize_url, url_key):
        with contextlib.suppress(ValueError):
            function(text, base)


@given(http_urls())
def test_normalisation_is_idempotent(url: str) -> None:
    try:
        normalized = normalize_url(url)
    except ValueError:  # e.g. a segment made the URL too long or held a surrogate
        return
    assert normalize_url(normalized) == normalized
    key = url_key(url)
    assert url_key(key) == key
    assert url_key(normalized) == key
    assert host_of(key) == host_of(url)
