"""Fault catalogue (issue 6), fetch-level items, each against the real FaultServer.

Test names carry the catalogue number (``test_fNN_…``) so the README and
the issue's list can be checked against them. The client is the one a crawl
uses: the guarded transport, with loopback opened as ``--allow-private`` does.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fault_server import (
    CP1251_TEXT,
    CP1252_TEXT,
    UNICODE_TEXT,
    FaultServer,
    closed_port,
)

import cleaners
from scraper.cli import main
from scraper.config import FetchSettings
from scraper.errors import FetchError, FetchErrorKind
from scraper.fetch import fetch_page, fetch_page_async, make_async_client, make_client
from scraper.fetch.netguard import AddressPolicy, AsyncGuardedTransport, GuardedTransport
from scraper.records import FetchResult

LOOPBACK = AddressPolicy.from_cidrs(["127.0.0.0/8"])
QUICK = FetchSettings(connect_timeout=2.0, read_timeout=3.0, deadline=5.0)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with FaultServer() as fault_server:
        yield fault_server


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with make_client(QUICK, GuardedTransport(LOOPBACK)) as guarded:
        yield guarded


def fetch_error(client: httpx.Client, url: str, settings: FetchSettings = QUICK) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_page(client, url, settings)
    return caught.value


def wait_for_sent(server: FaultServer, path: str, timeout: float = 5.0) -> int:
    """Body bytes the server managed to send on ``path``, once its handler has finished."""
    give_up = time.monotonic() + timeout
    while path not in server.sent and time.monotonic() < give_up:
        time.sleep(0.05)
    return server.sent[path]


# 1. Connection refused


def test_f01_connection_refused_is_connect_error(client: httpx.Client) -> None:
    error = fetch_error(client, f"http://127.0.0.1:{closed_port()}/article")
    assert error.kind == FetchErrorKind.CONNECT_ERROR


# 2. Reset mid-body, short body


@pytest.mark.parametrize("path", ["/reset", "/short"])
def test_f02_truncated_body_is_read_error(
    client: httpx.Client, server: FaultServer, path: str
) -> None:
    error = fetch_error(client, server.url(path))
    assert error.kind == FetchErrorKind.READ_ERROR


# 3. Slow drip


DRIP_DEADLINE = 2.0
# The deadline is checked as each byte lands, so with one byte a second it fires at
# most one drip interval late; the 0.3 s covers thread scheduling on a busy machine.
DRIP_BOUND = DRIP_DEADLINE + 1.0 + 0.3


def test_f03_slow_drip_hits_the_page_deadline(client: httpx.Client, server: FaultServer) -> None:
    settings = FetchSettings(read_timeout=10.0, deadline=DRIP_DEADLINE)
    started = time.monotonic()
    error = fetch_error(client, server.url("/drip?interval=1"), settings)
    elapsed = time.monotonic() - started
    assert error.kind == FetchErrorKind.TIMEOUT
    assert DRIP_DEADLINE <= elapsed <= DRIP_BOUND


def test_f03_slow_drip_hits_the_deadline_async(server: FaultServer) -> None:
    settings = FetchSettings(read_timeout=10.0, deadline=DRIP_DEADLINE)

    async def fetch() -> None:
        async with make_async_client(settings, AsyncGuardedTransport(LOOPBACK)) as client:
            await fetch_page_async(client, server.url("/drip?interval=1"), settings)

    started = time.monotonic()
    with pytest.raises(FetchError) as caught:
        asyncio.run(fetch())
    assert caught.value.kind == FetchErrorKind.TIMEOUT
    assert time.monotonic() - started <= DRIP_BOUND


def test_f03_server_that_never_answers_hits_the_deadline(
    client: httpx.Client, server: FaultServer
) -> None:
    settings = FetchSettings(read_timeout=10.0, deadline=1.0)
    started = time.monotonic()
    error = fetch_error(client, server.url("/silent"), settings)
    assert error.kind == FetchErrorKind.TIMEOUT
    assert time.monotonic() - started <= 1.0 + 1.0


# 6. 404 / 410


@pytest.mark.parametrize("status", [404, 410])
def test_f06_gone_pages_are_http_status_errors(
    client: httpx.Client, server: FaultServer, status: int
) -> None:
    error = fetch_error(client, server.url(f"/status/{status}"))
    assert (error.kind, error.status) == (FetchErrorKind.HTTP_STATUS, status)


# 7. Redirect loop, more than 10 hops


def test_f07_redirect_loop(client: httpx.Client, server: FaultServer) -> None:
    assert fetch_error(client, server.url("/redirect/loop")).kind == FetchErrorKind.REDIRECT_LOOP


def test_f07_eleven_hops_is_too_many_but_ten_is_fine(
    client: httpx.Client, server: FaultServer
) -> None:
    assert fetch_page(client, server.url("/redirect/chain/10"), QUICK).status == 200
    error = fetch_error(client, server.url("/redirect/chain/11"))
    assert error.kind == FetchErrorKind.REDIRECT_LOOP


# 8. Redirect to file:, ftp:, data:


@pytest.mark.parametrize(
    ("location", "kind"),
    [
        ("file:///etc/passwd", FetchErrorKind.BAD_SCHEME),
        ("ftp://127.0.0.1/pub/", FetchErrorKind.BAD_SCHEME),
        # httpx will not parse a data: URL as a redirect target (its path lacks a
        # leading "/"), so these end as invalid_url: refused all the same.
        ("data:text/html;base64,PHA+b3duZWQ8L3A+", FetchErrorKind.INVALID_URL),
        ("data:text/html,<p>owned</p>", FetchErrorKind.INVALID_URL),
    ],
)
def test_f08_redirect_to_other_schemes_is_refused(
    client: httpx.Client, server: FaultServer, location: str, kind: str
) -> None:
    url = str(httpx.URL(server.url("/redirect/to"), params={"location": location}))
    assert fetch_error(client, url).kind == kind


# 9. Redirect to internal addresses, blocked on every hop before connecting


@pytest.fixture(scope="module")
def targets() -> Iterator[tuple[FaultServer, FaultServer]]:
    """Servers on 127.0.0.1 and ::1 standing for internal services; they count connections."""
    with FaultServer("127.0.0.1") as v4, FaultServer("::1") as v6:
        yield v4, v6


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{v4}/article",
        "http://127.9.9.9:{v4}/article",
        "http://10.0.0.1:{v4}/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{v6}/article",
        "http://[::ffff:127.0.0.1]:{v4}/article",
        "http://2130706433:{v4}/article",
    ],
)
@pytest.mark.parametrize("hops_before", [0, 2])
def test_f09_redirect_to_internal_address_is_blocked_before_connecting(
    targets: tuple[FaultServer, FaultServer], location: str, hops_before: int
) -> None:
    """The crawler's own site sits on 127.0.0.2, the only address it is allowed."""
    v4, v6 = targets
    internal = location.format(v4=v4.port, v6=v6.port)
    before = (v4.connections, v6.connections)
    guard = GuardedTransport(AddressPolicy.from_cidrs(["127.0.0.2/32"]))
    with FaultServer("127.0.0.2") as site, make_client(QUICK, guard) as client:
        first = str(httpx.URL(site.url("/redirect/to"), params={"location": internal}))
        for _ in range(hops_before):
            first = str(httpx.URL(site.url("/redirect/to"), params={"location": first}))
        error = fetch_error(client, first)
        assert site.paths() == ["/redirect/to"] * (hops_before + 1)
    assert error.kind == FetchErrorKind.BLOCKED_ADDRESS
    assert (v4.connections, v6.connections) == before


def test_f09_guard_fails_closed_when_the_first_url_is_internal(
    targets: tuple[FaultServer, FaultServer],
) -> None:
    v4, _ = targets
    before = v4.connections
    with make_client(QUICK, GuardedTransport(AddressPolicy())) as client:
        assert fetch_error(client, v4.url("/article")).kind == FetchErrorKind.BLOCKED_ADDRESS
    assert v4.connections == before


# 10. PDF / image


@pytest.mark.parametrize("path", ["/pdf", "/image"])
def test_f10_binary_content_is_refused_from_the_headers(
    client: httpx.Client, server: FaultServer, path: str
) -> None:
    """These routes never send their body: waiting for it would end in a timeout instead."""
    error = fetch_error(client, server.url(path))
    assert error.kind == FetchErrorKind.NOT_HTML


# 11. Over the size cap


CAP = 100_000


def test_f11_announced_length_over_cap_refused_before_reading(
    client: httpx.Client, server: FaultServer
) -> None:
    error = fetch_error(client, server.url("/big/length"), FetchSettings(max_bytes=CAP))
    assert error.kind == FetchErrorKind.TOO_LARGE


def test_f11_chunked_body_over_cap_is_cut_off(client: httpx.Client, server: FaultServer) -> None:
    error = fetch_error(client, server.url("/big/chunked"), FetchSettings(max_bytes=CAP))
    assert error.kind == FetchErrorKind.TOO_LARGE
    # The server would send 1 GiB; it got rid of far less before the client hung up
    # (what it sent beyond the cap sat in socket buffers, never in the fetcher).
    assert wait_for_sent(server, "/big/chunked") < 64 * 1024 * 1024


def test_f11_body_exactly_at_cap_is_accepted(client: httpx.Client, server: FaultServer) -> None:
    size = len(fetch_page(client, server.url("/article"), QUICK).body)
    assert fetch_page(client, server.url("/article"), FetchSettings(max_bytes=size)).body
    error = fetch_error(client, server.url("/article"), FetchSettings(max_bytes=size - 1))
    assert error.kind == FetchErrorKind.TOO_LARGE


# 12. Compression bombs, peak memory measured in a fresh process

BOMB_CAP = FetchSettings().max_bytes  # the default 10 MB
# Headroom over the process's peak before the fetch: the capped body, a few
# decompression pieces, and the allocator's slack. Decoding a network chunk in one
# call (what httpx does) adds 110 MB for gzip and 500 MB for brotli and zstd here.
RSS_GROWTH_LIMIT_KB = 48 * 1024

MEASURE_FETCH = """
import json, resource, sys
from scraper.config import FetchSettings
from scraper.errors import FetchError
from scraper.fetch import fetch_page, make_client

base, bomb_path, cap = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = FetchSettings(max_bytes=cap)
with make_client(settings) as client:
    fetch_page(client, base + "/article", settings)  # warm every import and buffer
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        fetch_page(client, base + bomb_path, settings)
        kind = None
    except FetchError as error:
        kind = error.kind
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"kind": kind, "before_kb": before, "after_kb": after}))
"""


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_f12_decompression_bomb_is_capped_with_bounded_memory(
    server: FaultServer, encoding: str
) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE_FETCH, server.base_url, f"/bomb/{encoding}", str(BOMB_CAP)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(completed.stdout)
    assert measured["kind"] == FetchErrorKind.TOO_LARGE
    assert measured["after_kb"] - measured["before_kb"] < RSS_GROWTH_LIMIT_KB, measured


# 13-15, 22. Through fetch and the cleaner


def fetch_and_extract(client: httpx.Client, url: str) -> tuple[FetchResult, cleaners.Article]:
    page: FetchResult = fetch_page(client, url, QUICK)
    return page, cleaners.extract(page.body, page.final_url, headers=page.header_map)


MOJIBAKE = ("\ufffd", "Ã", "â€", "Ð", "Ñ")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/charset/cp1252-undeclared", CP1252_TEXT),
        ("/charset/cp1251-declared-utf8", CP1251_TEXT),
        ("/charset/meta-vs-header", UNICODE_TEXT),
        ("/charset/bom-utf8", UNICODE_TEXT),
        ("/charset/bom-utf16", UNICODE_TEXT),
    ],
)
def test_f13_charsets_decode_without_mojibake(
    client: httpx.Client, server: FaultServer, path: str, expected: str
) -> None:
    _, article = fetch_and_extract(client, server.url(path))
    assert expected in article.text
    assert not any(marker in article.text for marker in MOJIBAKE)


@pytest.mark.parametrize("path", ["/malformed/nested", "/malformed/nul", "/malformed/truncated"])
def test_f14_malformed_html_is_cleaned_without_error(
    client: httpx.Client, server: FaultServer, path: str
) -> None:
    _, article = fetch_and_extract(client, server.url(path))
    assert "\x00" not in article.text
    # Each of these pages holds the article: broken markup must not lose it.
    assert "harbour authority" in article.text
    assert article.reason is None


@pytest.mark.parametrize(
    ("path", "reason"), [("/empty", "empty_document"), ("/blank", "no_content")]
)
def test_f15_empty_page_gives_no_article(
    client: httpx.Client, server: FaultServer, path: str, reason: str
) -> None:
    page, article = fetch_and_extract(client, server.url(path))
    assert page.status == 200
    assert article.is_empty
    assert article.reason == reason
    with pytest.raises(ValueError):
        cleaners.content_hash(article.text)


@pytest.mark.parametrize(
    ("path", "reason"), [("/challenge", "blocked"), ("/consent", "consent_wall")]
)
def test_f22_challenge_and_consent_pages_are_classified(
    client: httpx.Client, server: FaultServer, path: str, reason: str
) -> None:
    page, article = fetch_and_extract(client, server.url(path))
    assert page.status == 200
    assert article.is_empty
    assert article.reason == reason


# 21. DNS


def test_f21_invalid_name_is_a_permanent_dns_error(client: httpx.Client) -> None:
    assert fetch_error(client, "http://no-such-site.invalid/").kind == FetchErrorKind.DNS_ERROR


def test_f21_resolver_timeout_is_transient(server: FaultServer) -> None:
    """The timeout is simulated by an injected resolver raising EAI_AGAIN, which is
    what getaddrinfo returns when the name servers do not answer in time."""

    def timing_out(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    with make_client(QUICK, GuardedTransport(LOOPBACK, resolver=timing_out)) as client:
        error = fetch_error(client, "http://news.example/")
    assert error.kind == FetchErrorKind.TIMEOUT


@pytest.mark.parametrize("path", ["/empty", "/blank", "/challenge", "/consent"])
def test_f15_f22_pages_without_an_article_are_never_stored(
    server: FaultServer, tmp_path: Path, path: str
) -> None:
    db = tmp_path / "store.db"
    result = CliRunner().invoke(main, [server.url(path), "--db", str(db), "--format", "json"])
    assert result.exit_code == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        kinds = [kind for (kind,) in conn.execute("SELECT error_kind FROM fetches")]
    assert kinds == [FetchErrorKind.EMPTY]
