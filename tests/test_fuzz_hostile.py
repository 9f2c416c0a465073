"""Property-based tests where hostile input crosses module boundaries (issue 6, "Also").

Each finding of these properties is pinned below as a plain regression test.
The cleaner's and the URL normaliser's own properties live in
test_extract_robustness.py and test_urls.py; these check what they hand on.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import zlib

import brotli
import httpx
import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cleaners
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch import error_kind, fetch_page, make_client
from scraper.fetch.decompress import body_decoder
from scraper.fetch.netguard import check_url
from scraper.urls import normalize_url, url_key

COMPRESS = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "br": brotli.compress,
    "zstd": zstandard.ZstdCompressor().compress,
}


def decode_in_pieces(encoding: str, data: bytes, cuts: list[int]) -> bytes:
    decoder = body_decoder(encoding, limit=10 * len(data) + 1_000_000)
    out = []
    start = 0
    for cut in [*sorted(c % (len(data) + 1) for c in cuts), len(data)]:
        out.extend(decoder.decode(data[start:cut]))
        start = max(start, cut)
    out.extend(decoder.flush())
    return b"".join(out)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(COMPRESS)), st.binary(max_size=20_000), st.lists(st.integers(0)))
def test_bounded_decoders_match_a_one_shot_decode_however_the_network_cuts(
    encoding: str, payload: bytes, cuts: list[int]
) -> None:
    assert decode_in_pieces(encoding, COMPRESS[encoding](payload), cuts) == payload


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(COMPRESS)), st.binary(min_size=1, max_size=2_000))
def test_garbage_bodies_fail_only_as_decoding_errors(encoding: str, junk: bytes) -> None:
    with contextlib.suppress(httpx.DecodingError):
        decode_in_pieces(encoding, junk, [len(junk) // 2])


_URL_CHARS = st.characters(blacklist_categories=("Cs",), max_codepoint=0x2FFF)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["http://", "https://", "HTTP://", "//", "", "/", "./", "?", "#"]),
    st.text(_URL_CHARS, max_size=60),
)
def test_every_url_the_normaliser_accepts_is_fetched_or_refused_as_invalid(
    prefix: str, rest: str
) -> None:
    """What goes into the frontier is fetchable, or fails cleanly as invalid_url."""
    try:
        url = normalize_url(prefix + rest, "https://news.example/section/page.html")
    except ValueError:
        return
    check_url(url)  # http(s), at most 2083 characters
    assert url_key(url) == url_key(normalize_url(url))
    try:
        assert httpx.URL(url).host
    except httpx.InvalidURL as exc:
        assert error_kind(exc) == FetchErrorKind.INVALID_URL


# Findings of the property above (a control character in the user part, a host that
# is no valid IDNA name): the normaliser refuses them now, and the fetcher, given
# them as they are, refuses them as invalid_url before any connection, not crash.
@pytest.mark.parametrize("url", ["http://x\x1f@example.com/", "http://\u0cf4/"])
def test_unfetchable_urls_are_refused_by_normaliser_and_fetcher(url: str) -> None:
    with pytest.raises(ValueError):
        normalize_url(url)
    with make_client() as client, pytest.raises(FetchError) as caught:
        fetch_page(client, url)
    assert caught.value.kind == FetchErrorKind.INVALID_URL


# Charset labels a page may declare. Python knows many "codecs" that are no text
# encoding at all; a page must not be able to break its own decoding with them.
_PAGE = (
    "<html><head>{meta}<title>Café</title></head><body><article>"
    + "<p>Le café de la gare a rouvert ses portes à Noël, après trois mois de travaux.</p>" * 6
    + "</article></body></html>"
)
_CODEC_NAMES = sorted(
    {"undefined", "utf-7", "unicode_escape", "punycode", "idna", "hex", "zlib", "base64"}
    | {"rot13", "uu", "bz2", "quopri", "raw_unicode_escape", "utf-32", "x-user-defined"}
)


@pytest.mark.parametrize("label", _CODEC_NAMES)
@pytest.mark.parametrize("where", ["header", "meta"])
def test_any_declared_codec_leaves_a_legacy_page_readable(label: str, where: str) -> None:
    meta = f'<meta charset="{label}">' if where == "meta" else ""
    body = _PAGE.format(meta=meta).encode("cp1252")
    headers = {"content-type": f"text/html; charset={label}"} if where == "header" else {}
    article = cleaners.extract(body, "https://news.example/a", headers=headers)
    assert "rouvert ses portes" in article.text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20))
def test_arbitrary_charset_labels_never_empty_a_page(label: str) -> None:
    body = _PAGE.format(meta="").encode("cp1252")
    headers = {"content-type": f"text/html; charset={label}"}
    article = cleaners.extract(body, "https://news.example/a", headers=headers)
    assert "rouvert ses portes" in article.text or _decodes_oddly(label)


def _decodes_oddly(label: str) -> bool:
    """A real text codec that maps these bytes to other letters (utf-16, cp037…): allowed."""
    try:
        return codecs.lookup(label).name not in ("cp1252", "latin-1", "iso8859-1", "ascii")
    except LookupError:
        return False
