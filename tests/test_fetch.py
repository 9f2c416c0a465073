"""fetch_page / fetch_page_async / read_saved_page against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import gzip
import socket
from collections.abc import Iterator
from pathlib import Path

import brotli
import httpx
import pytest
import zstandard
from local_server import Route, html_route, redirect_route

from scraper.config import DEFAULT_USER_AGENT, FetchSettings
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch import error_kind, fetch_page, fetch_page_async, make_client, read_saved_page

PAGE = (
    "<!DOCTYPE html><html><head><title>Été</title></head><body><p>Un été à Kyiv.</p></body></html>"
)
SMALL_CAP = FetchSettings(max_bytes=50_000)


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client() as client:
        yield client


def fetch_error(client: httpx.Client, url: str, settings: FetchSettings = SMALL_CAP) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_page(client, url, settings)
    return caught.value


def test_html_page_comes_back_with_lowercased_headers(local_server, client):
    url = local_server.add("/a", html_route(PAGE))

    result = fetch_page(client, url)

    assert result.status == 200
    assert result.body == PAGE.encode()
    assert result.final_url == result.requested_url == url
    assert result.content_type == "text/html; charset=utf-8"
    assert result.header("Content-Type") == "text/html; charset=utf-8"
    assert all(name == name.lower() for name, _ in result.headers)
    assert result.redirects == ()
    assert result.fetched_at is not None


def test_request_names_the_tool_and_accepts_compression(local_server, client):
    url = local_server.add("/ua", html_route(PAGE))
    fetch_page(client, url)
    fetch_page(client, url, FetchSettings(user_agent="custom-agent/1"))

    default, custom = local_server.wait_for("/ua", count=2)
    assert default.headers["user-agent"] == DEFAULT_USER_AGENT
    assert "newsclean/" in DEFAULT_USER_AGENT
    assert custom.headers["user-agent"] == "custom-agent/1"
    assert {"gzip", "deflate", "br", "zstd"} <= {
        coding.strip() for coding in default.headers["accept-encoding"].split(",")
    }


def test_redirect_chain_is_followed_and_recorded(local_server, client):
    final = local_server.add("/final", html_route(PAGE))
    local_server.add("/r2", redirect_route("/final", status=301))
    first = local_server.add("/r1", redirect_route(local_server.url("/r2"), status=307))

    result = fetch_page(client, first)

    assert result.final_url == final
    assert result.requested_url == first
    assert result.redirects == (first, local_server.url("/r2"))
    assert result.body == PAGE.encode()


def test_more_than_ten_redirects_is_a_redirect_loop(local_server, client):
    for hop in range(12):
        local_server.add(f"/hop{hop}", redirect_route(f"/hop{hop + 1}"))
    local_server.add("/hop12", html_route(PAGE))

    error = fetch_error(client, local_server.url("/hop0"))

    assert error.kind == FetchErrorKind.REDIRECT_LOOP
    # The original request and ten redirects were followed; the eleventh was not.
    assert all(len(local_server.wait_for(f"/hop{hop}")) == 1 for hop in range(11))
    assert local_server.requests_for("/hop11") == []


def test_exactly_ten_redirects_are_allowed(local_server, client):
    for hop in range(10):
        local_server.add(f"/hop{hop}", redirect_route(f"/hop{hop + 1}"))
    local_server.add("/hop10", html_route(PAGE))

    assert fetch_page(client, local_server.url("/hop0")).final_url.endswith("/hop10")


def test_redirect_to_another_scheme_is_refused(local_server, client):
    url = local_server.add("/ftp", redirect_route("ftp://example.org/file"))
    assert fetch_error(client, url).kind == FetchErrorKind.BAD_SCHEME


@pytest.mark.parametrize("status", [404, 410, 500, 503])
def test_error_status_is_http_status(local_server, client, status):
    url = local_server.add("/gone", html_route("<p>no</p>", status=status))

    error = fetch_error(client, url)

    assert error.kind == FetchErrorKind.HTTP_STATUS
    assert error.status == status
    assert str(status) in error.message


def test_non_html_is_refused_without_reading_the_body(local_server, client):
    pdf = Route(headers=(("Content-Type", "application/pdf"),), body=b"%PDF" + b"x" * 30_000_000)
    url = local_server.add("/doc.pdf", pdf)

    error = fetch_error(client, url, FetchSettings())

    assert error.kind == FetchErrorKind.NOT_HTML
    assert "application/pdf" in error.message
    (served,) = local_server.wait_for("/doc.pdf")
    assert not served.complete
    assert served.body_bytes_sent < len(pdf.body)


def test_missing_content_type_is_sniffed(local_server, client):
    page = local_server.add("/untyped", Route(body=b"\n  <!doctype html><html><p>x</p></html>"))
    binary = local_server.add("/blob", Route(body=bytes(range(256)) * 4))

    assert fetch_page(client, page).content_type is None
    assert fetch_error(client, binary).kind == FetchErrorKind.NOT_HTML


def test_xhtml_is_accepted(local_server, client):
    xhtml = Route(headers=(("Content-Type", "application/xhtml+xml"),), body=PAGE.encode())
    url = local_server.add("/x", xhtml)
    assert fetch_page(client, url).body == PAGE.encode()


def test_announced_length_over_cap_is_refused_before_the_body(local_server, client):
    url = local_server.add("/big", html_route(b"<p>" + b"a" * 30_000_000))

    error = fetch_error(client, url)

    assert error.kind == FetchErrorKind.TOO_LARGE
    (served,) = local_server.wait_for("/big")
    assert not served.complete


def test_chunked_body_over_cap_stops_while_streaming(local_server, client):
    body = b"<html><p>" + b"a" * 30_000_000
    url = local_server.add(
        "/chunked", Route(headers=html_route("").headers, body=body, chunk_size=16_384)
    )

    error = fetch_error(client, url)

    assert error.kind == FetchErrorKind.TOO_LARGE
    (served,) = local_server.wait_for("/chunked")
    assert not served.complete
    assert served.body_bytes_sent < len(body)


def test_cap_applies_to_decompressed_bytes(local_server, client):
    bomb = gzip.compress(b"<html><p>" + b"a" * 200_000)
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
    url = local_server.add("/bomb", Route(headers=headers, body=bomb))

    assert len(bomb) < SMALL_CAP.max_bytes
    assert fetch_error(client, url).kind == FetchErrorKind.TOO_LARGE


def test_slow_headers_hit_the_read_timeout(local_server, client):
    url = local_server.add("/slow", Route(delay=1.5, headers=html_route("").headers, body=b"<p>"))

    error = fetch_error(client, url, FetchSettings(read_timeout=0.2))

    assert error.kind == FetchErrorKind.TIMEOUT


def test_dripping_body_hits_the_page_deadline(local_server, client):
    drip = Route(headers=html_route("").headers, body=b"<p>" * 200, chunk_size=3, chunk_delay=0.05)
    url = local_server.add("/drip", drip)

    error = fetch_error(client, url, FetchSettings(read_timeout=5.0, deadline=0.4))

    assert error.kind == FetchErrorKind.TIMEOUT
    assert "deadline" in error.message


def test_truncated_body_is_a_read_error(local_server, client):
    short = Route(headers=html_route("").headers, body=b"<p>only part", content_length=5_000)
    url = local_server.add("/short", short)

    assert fetch_error(client, url).kind == FetchErrorKind.READ_ERROR


def test_refused_connection_is_a_connect_error(client):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens on the port any more.
    assert fetch_error(client, f"http://127.0.0.1:{port}/").kind == FetchErrorKind.CONNECT_ERROR


def test_name_resolution_failure_is_a_dns_error():
    # Resolving a real name would query the network, so build the exception chain
    # httpx produces: ConnectError raised from httpcore's error raised from gaierror.
    try:
        try:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        except socket.gaierror as resolution:
            raise httpx.ConnectError("[Errno -2] Name or service not known") from resolution
    except httpx.ConnectError as exc:
        assert error_kind(exc) == FetchErrorKind.DNS_ERROR
    assert error_kind(httpx.ConnectError("refused")) == FetchErrorKind.CONNECT_ERROR


def test_non_http_scheme_is_refused_before_any_request(client):
    with pytest.raises(FetchError) as caught:
        fetch_page(client, "file:///etc/passwd")
    assert caught.value.kind == FetchErrorKind.BAD_SCHEME


def test_charset_from_the_header_is_passed_through(local_server, client):
    body = "<html><body><p>L’été – « déjà » vu…</p></body></html>".encode("cp1252")
    url = local_server.add(
        "/cp1252", Route(headers=(("Content-Type", "text/html; charset=windows-1252"),), body=body)
    )

    result = fetch_page(client, url)

    assert result.body == body
    assert result.header("content-type") == "text/html; charset=windows-1252"


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("br", brotli.compress),
        ("zstd", zstandard.ZstdCompressor().compress),
    ],
)
def test_compressed_bodies_are_decompressed(local_server, client, coding, compress):
    headers = (("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", coding))
    url = local_server.add(f"/{coding}", Route(headers=headers, body=compress(PAGE.encode())))

    assert fetch_page(client, url).body == PAGE.encode()


def test_async_fetch_follows_the_same_rules(local_server):
    page = local_server.add("/page", html_route(PAGE))
    local_server.add("/moved", redirect_route("/page"))
    pdf = local_server.add(
        "/doc", Route(headers=(("Content-Type", "application/pdf"),), body=b"%PDF")
    )

    async def run() -> tuple[str, str]:
        async with httpx.AsyncClient() as client:
            result = await fetch_page_async(client, local_server.url("/moved"))
            with pytest.raises(FetchError) as caught:
                await fetch_page_async(client, pdf)
        return result.final_url, caught.value.kind

    final_url, kind = asyncio.run(run())
    assert final_url == page
    assert kind == FetchErrorKind.NOT_HTML


def test_injected_transport_sees_every_request():
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=PAGE.encode())

    with make_client(transport=httpx.MockTransport(answer)) as client:
        fetch_page(client, "http://example.test/a")
    assert seen == ["http://example.test/a"]


def test_saved_pages_are_read_plain_and_gzipped(tmp_path: Path):
    plain = tmp_path / "article.html"
    plain.write_bytes(PAGE.encode())
    packed = tmp_path / "article.html.gz"
    packed.write_bytes(gzip.compress(PAGE.encode()))

    for path in (plain, packed):
        result = read_saved_page(path)
        assert result.body == PAGE.encode()
        assert result.final_url == path.resolve().as_uri()


@pytest.mark.parametrize(
    ("name", "content"),
    [("missing.html", None), ("notes.txt", b"text"), ("broken.html.gz", b"not gzip at all")],
)
def test_unreadable_saved_pages_are_file_errors(tmp_path: Path, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(FetchError) as caught:
        read_saved_page(path)
    assert caught.value.kind == FetchErrorKind.FILE_ERROR
