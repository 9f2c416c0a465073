"""Fault catalogue (issue 6), crawl-level items: what a whole crawl run does about each fault.

The crawl runs in this process (``run_crawl``) against FaultServers on loopback
addresses, with ``--allow-private`` opened only as far as each test needs. The
frontier and the fetch log are read back with sqlite3: they are what the next
cron run sees. Time between runs is simulated by moving ``next_attempt_at``.
"""

from __future__ import annotations

import ipaddress
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from functools import partial
from pathlib import Path

import pytest
from fault_server import Exchange, FaultServer, Handler, article_html, closed_port
from spinning_cleaner import extract_spinning_on
from synthetic_site import SyntheticSite, loopback_hosts, serve, sources_toml

from scraper.config import FetchSettings
from scraper.crawl import CLEANER_TIMEOUT, CrawlReport, CrawlSettings, run_crawl
from scraper.crawl.politeness import (
    HOST_ERROR_LIMIT,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    parse_retry_after,
)
from scraper.crawl.sources import CrawlConfig, Source
from scraper.errors import FetchErrorKind
from scraper.storage import open_store

QUICK = FetchSettings(connect_timeout=1.0, read_timeout=1.0, deadline=3.0)
SITE = "127.0.0.2"  # the crawled site; 127.0.0.1 stands for an internal service


# -- helpers ----------------------------------------------------------------------


def links_page(*hrefs: str) -> Handler:
    """A home page linking to ``hrefs``, in that order."""
    items = "".join(f"<li><a href='{href}'>{href}</a></li>" for href in hrefs)
    html = f"<html><head><title>Home</title></head><body><ul>{items}</ul></body></html>"

    def handler(exchange: Exchange) -> None:
        exchange.respond(200, html.encode())

    return handler


def numbered_article(exchange: Exchange) -> None:
    """A distinct article per path, so each one is stored as its own row."""
    path = exchange.request.path
    extra = f"<p>This report, filed as {path}, is the only one of its kind on the site.</p>"
    exchange.respond(200, article_html(f"Report {path}", extra).encode())


def source(name: str, *starts: str, hosts: tuple[str, ...] = ()) -> Source:
    own = {ipaddress.ip_address(url.split("/")[2].rsplit(":", 1)[0].strip("[]")) for url in starts}
    return Source(
        name=name,
        start=starts,
        hosts=frozenset({str(ip) for ip in own} | set(hosts)),
        max_depth=1,
    )


def crawl(
    db: Path, *sources: Source, allow: tuple[str, ...] = ("127.0.0.0/8",), **options: object
) -> CrawlReport:
    config = CrawlConfig(sources=sources, delay=0.0)
    settings = CrawlSettings(
        allow_private=tuple(ipaddress.ip_network(cidr) for cidr in allow),
        clean_workers=1,
        fetch=QUICK,
        **options,  # type: ignore[arg-type]
    )
    with open_store(str(db)) as store:
        return run_crawl(config, store, settings)


def frontier(db: Path, url: str) -> sqlite3.Row:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        row = conn.execute("SELECT * FROM frontier WHERE url = ?", (url,)).fetchone()
    assert row is not None, f"{url} is not in the frontier"
    return row


def fetch_kinds(db: Path, url: str) -> list[str | None]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT error_kind FROM fetches WHERE requested_url = ? ORDER BY id", (url,)
        )
        return [kind for (kind,) in rows]


def article_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def stored_time(text: str) -> datetime:
    stamp = datetime.fromisoformat(text)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def make_due(db: Path, url: str) -> None:
    """Pretend the retry time has come (the next cron run is later)."""
    past = (datetime.now(UTC) - timedelta(seconds=1)).isoformat(sep=" ")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE frontier SET next_attempt_at = ? WHERE url = ?", (past, url))


def seconds_until_retry(row: sqlite3.Row) -> float:
    return (stored_time(row["next_attempt_at"]) - stored_time(row["updated_at"])).total_seconds()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "crawl.db"


# 1. Connection refused: retried with growing delays, then failed; the run goes on


def test_c01_refused_connection_is_retried_with_backoff_then_failed(db: Path) -> None:
    """A linked article on a host that refuses connections (start pages are re-read every
    run by design, so the retry budget is a discovered URL's)."""
    dead = f"http://127.0.0.3:{closed_port('127.0.0.3')}/story"
    routes = {"/": links_page(dead, "/story"), "/story": numbered_article}
    with FaultServer(SITE, routes) as alive:
        site = source("alive", alive.url("/"), hosts=("127.0.0.3",))
        report = crawl(db, site)
        assert article_count(db) == 1  # the rest of the site was crawled all the same
        assert report.new == 1

        delays = []
        for attempt in range(1, MAX_ATTEMPTS + 1):
            row = frontier(db, dead)
            assert row["attempts"] == attempt
            assert row["error_kind"] == FetchErrorKind.CONNECT_ERROR
            if attempt < MAX_ATTEMPTS:
                assert row["state"] == "pending"
                delays.append(seconds_until_retry(row))
                make_due(db, dead)
                crawl(db, site)
    assert frontier(db, dead)["state"] == "failed"
    assert fetch_kinds(db, dead) == [FetchErrorKind.CONNECT_ERROR] * MAX_ATTEMPTS
    assert delays == sorted(delays) and delays[0] >= 10


# 2. Reset mid-body / short body: nothing stored, retried later


@pytest.mark.parametrize("path", ["/reset", "/short"])
def test_c02_truncated_body_stores_nothing_and_is_retried(db: Path, path: str) -> None:
    with FaultServer(SITE, {"/": links_page(path)}) as site:
        crawl(db, source("s", site.url("/")))
        url = site.url(path)
    assert article_count(db) == 0
    row = frontier(db, url)
    assert (row["state"], row["error_kind"]) == ("pending", FetchErrorKind.READ_ERROR)
    assert seconds_until_retry(row) > 0
    assert fetch_kinds(db, url) == [FetchErrorKind.READ_ERROR]


# 4. 429 with Retry-After: no request to the host before then


def retry_after_seconds(value: str) -> Handler:
    def handler(exchange: Exchange) -> None:
        exchange.respond(429, b"slow down", "text/plain", {"Retry-After": value})

    return handler


def retry_after_date(seconds: float) -> Handler:
    def handler(exchange: Exchange) -> None:
        when = formatdate(time.time() + seconds, usegmt=True)
        exchange.respond(429, b"slow down", "text/plain", {"Retry-After": when})

    return handler


@pytest.mark.parametrize(
    ("limiter", "wait"),
    [
        (retry_after_seconds("2"), 2.0),
        # An HTTP date has whole seconds: 3 s ahead is at least 2 s ahead.
        (retry_after_date(3.0), 2.0),
    ],
    ids=["seconds", "http-date"],
)
def test_c04_retry_after_holds_back_the_whole_host(db: Path, limiter: Handler, wait: float) -> None:
    routes = {
        "/": links_page("/limited", "/after"),
        "/limited": limiter,
        "/after": numbered_article,
    }
    with FaultServer(SITE, routes) as site:
        crawl(db, source("s", site.url("/")))
        limited = site.requests_for("/limited")[0].received_at
        after = site.requests_for("/after")[0].received_at
    assert after - limited >= wait
    row = frontier(db, site.url("/limited"))
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert seconds_until_retry(row) >= wait


def test_c04_huge_retry_after_is_capped_and_the_run_ends(db: Path) -> None:
    """A far Retry-After must not keep a cron run waiting, nor let the next run in early."""
    routes = {
        "/": links_page("/limited", "/after"),
        "/limited": retry_after_seconds(str(30 * 24 * 3600)),
        "/after": numbered_article,
    }
    with FaultServer(SITE, routes) as site:
        started = time.monotonic()
        crawl(db, source("s", site.url("/")))
        assert time.monotonic() - started < 60  # did not sleep on the host
        asked = len(site.paths())
        crawl(db, source("s", site.url("/")))  # the next cron run, moments later
        assert len(site.paths()) == asked  # the host is still left alone
    assert site.requests_for("/after") == []
    assert frontier(db, site.url("/after"))["state"] == "pending"
    assert parse_retry_after(str(30 * 24 * 3600)) == MAX_RETRY_AFTER  # the cap


# 5. 5xx: bounded retries, host paused after k consecutive errors


def failing(status: int) -> Handler:
    def handler(exchange: Exchange) -> None:
        exchange.respond(status, b"<html><body>down</body></html>")

    return handler


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_c05_server_errors_pause_the_host_after_k_in_a_row(db: Path, status: int) -> None:
    paths = [f"/down/{n}" for n in range(HOST_ERROR_LIMIT + 3)]
    with FaultServer(SITE, {"/": links_page(*paths), "/down/": failing(status)}) as site:
        crawl(db, source("s", site.url("/")))
        asked = [path for path in site.paths() if path.startswith("/down/")]
    assert len(asked) == HOST_ERROR_LIMIT  # then the host was left alone
    states = [frontier(db, site.url(path)) for path in paths]
    assert all(row["state"] == "pending" for row in states)
    tried = [row for row in states if row["attempts"] == 1]
    assert len(tried) == HOST_ERROR_LIMIT
    assert all(row["error_kind"] == FetchErrorKind.HTTP_STATUS for row in tried)
    assert all(seconds_until_retry(row) > 0 for row in tried)


# 6. 404 / 410: permanent


@pytest.mark.parametrize("status", [404, 410])
def test_c06_gone_pages_fail_once_and_are_not_retried(db: Path, status: int) -> None:
    path = f"/status/{status}"
    with FaultServer(SITE, {"/": links_page(path)}) as site:
        crawl(db, source("s", site.url("/")))
        row = frontier(db, site.url(path))
        assert (row["state"], row["attempts"], row["error_kind"]) == ("failed", 1, "http_status")
        crawl(db, source("s", site.url("/")))
        assert site.paths().count(path) == 1


# 16. robots.txt (RFC 9309)


def robots_status(status: int) -> Handler:
    def handler(exchange: Exchange) -> None:
        exchange.respond(status, b"User-agent: *\nDisallow: /\n", "text/plain")

    return handler


def robots_text(text: str) -> Handler:
    def handler(exchange: Exchange) -> None:
        exchange.respond(200, text.encode(), "text/plain")

    return handler


def robots_redirects(hops: int, final: str) -> Handler:
    """/robots.txt -> /r/1 -> ... -> /r/<hops> = the rules."""

    def handler(exchange: Exchange) -> None:
        path = exchange.request.path
        step = 0 if path == "/robots.txt" else int(path.rsplit("/", 1)[1])
        if step == hops:
            exchange.respond(200, final.encode(), "text/plain")
        else:
            exchange.respond(301, headers={"Location": f"/r/{step + 1}"})

    return handler


def crawl_site(db: Path, robots: Handler, *extra: tuple[str, Handler]) -> FaultServer:
    routes = {
        "/": links_page("/open/story", "/private/story"),
        "/open/": numbered_article,
        "/private/": numbered_article,
        "/robots.txt": robots,
        "/r/": robots,
        **dict(extra),
    }
    with FaultServer(SITE, routes) as site:
        crawl(db, source("s", site.url("/")))
    return site


@pytest.mark.parametrize("status", [401, 403, 404])
def test_c16_robots_4xx_allows_everything(db: Path, status: int) -> None:
    site = crawl_site(db, robots_status(status))
    assert {"/open/story", "/private/story"} <= set(site.paths())
    assert article_count(db) == 2


def silent(exchange: Exchange) -> None:
    while exchange.wait(0.05):
        pass


def drip(exchange: Exchange) -> None:
    exchange.send_head(200, {"Content-Type": "text/plain", "Content-Length": "100000"})
    while exchange.wait(0.3) and exchange.send_body(b"#"):
        pass


@pytest.mark.parametrize(
    "robots",
    [robots_status(500), robots_status(503), silent, drip],
    ids=["500", "503", "timeout", "drip"],
)
def test_c16_robots_unavailable_disallows_for_now(db: Path, robots: Handler) -> None:
    started = time.monotonic()
    site = crawl_site(db, robots)
    assert time.monotonic() - started < 30
    assert site.paths() == ["/robots.txt"]  # not even the home page
    row = frontier(db, site.url("/"))
    assert row["state"] == "pending"
    assert seconds_until_retry(row) > 0


def test_c16_robots_followed_through_five_redirects(db: Path) -> None:
    site = crawl_site(db, robots_redirects(5, "User-agent: *\nDisallow: /private/\n"))
    assert "/open/story" in site.paths()
    assert "/private/story" not in site.paths()


def test_c16_robots_rules_past_500_kib_are_ignored(db: Path) -> None:
    padding = "# padding line of a very long robots.txt\n" * (510 * 1024 // 41)
    text = f"User-agent: *\nDisallow: /private/\n{padding}Disallow: /open/\n"
    assert len(text) > 510 * 1024
    site = crawl_site(db, robots_text(text))
    assert "/open/story" in site.paths()  # the rule after 500 KiB was not read
    assert "/private/story" not in site.paths()


# 9 (SSRF) in a crawl: links to internal addresses are refused and recorded


def test_c09_loopback_link_in_a_page_is_blocked_and_recorded(db: Path) -> None:
    """Only the site's own address is opened; a link to 127.0.0.1 on the page is refused."""
    with FaultServer("127.0.0.1") as internal:
        target = internal.url("/article")
        with FaultServer(
            SITE, {"/": links_page(target, "/story"), "/story": numbered_article}
        ) as site:
            home = source("s", site.url("/"), hosts=("127.0.0.1",))
            report = crawl(db, home, allow=(f"{SITE}/32",))
    assert internal.connections == 0
    row = frontier(db, target)
    assert (row["state"], row["error_kind"]) == ("failed", FetchErrorKind.BLOCKED_ADDRESS)
    assert FetchErrorKind.BLOCKED_ADDRESS in fetch_kinds(db, target)
    assert report.new == 1  # the rest of the site was crawled


def test_c09_crawl_without_allow_private_refuses_loopback(tmp_path: Path) -> None:
    """The real command, no --allow-private: the loopback site is never contacted."""
    with FaultServer("127.0.0.1", {"/": links_page("/story")}) as site:
        sources = tmp_path / "sources.toml"
        sources.write_text(f'delay = 0\n[[sources]]\nname = "local"\nstart = ["{site.url("/")}"]\n')
        db = tmp_path / "crawl.db"
        command = [sys.executable, "-m", "scraper", "crawl", str(sources), "--db", str(db)]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert site.connections == 0
    assert "blocked_address" in done.stdout + done.stderr
    assert frontier(db, site.url("/"))["error_kind"] == FetchErrorKind.BLOCKED_ADDRESS


# 17. kill -9 at 20 random moments, then a final run


@pytest.mark.slow
def test_c17_kill_9_twenty_times_then_a_final_run_is_exact(tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    sources = tmp_path / "sources.toml"
    rng = random.Random(617)
    with serve(SyntheticSite(loopback_hosts(2, first=40), 25)) as site:
        sources.write_text(sources_toml(site, delay=0.01), encoding="utf-8")
        command = [
            sys.executable, "-m", "scraper", "crawl", str(sources), "--db", str(db),
            "--allow-private", "127.0.0.0/8",
        ]  # fmt: skip
        for _ in range(20):
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            time.sleep(rng.uniform(0.2, 3.0))
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
        final = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        assert final.returncode == 0, final.stderr
        expected = site.all_article_urls()
    with open_store(str(db)) as store:
        ids = {url: store.article_for_url(url) for url in expected}
        assert None not in ids.values()  # 0 lost
        assert len(set(ids.values())) == len(expected) == store.count_articles()  # 0 doubled
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        hashes = conn.execute("SELECT count(*), count(DISTINCT content_hash) FROM articles")
        total, distinct = hashes.fetchone()
        assert total == distinct


# 18. A page that holds its cleaning worker: the worker is killed and replaced


@pytest.mark.slow
def test_c18_a_page_holding_its_cleaner_fails_and_the_others_are_stored(db: Path) -> None:
    paths = ["/report/spin", *(f"/report/{n}" for n in range(10))]
    routes = {"/": links_page(*paths)} | dict.fromkeys(paths, numbered_article)
    spinning = partial(extract_spinning_on, "/report/spin")
    with FaultServer(SITE, routes) as site:
        # One cleaning worker: the pages after the stuck one are cleaned by its replacement.
        report = crawl(db, source("s", site.url("/")), page_time_limit=1.0, extract=spinning)
        stuck = site.url("/report/spin")
        assert dict(report.failed_by_kind) == {CLEANER_TIMEOUT: 1}
        row = frontier(db, stuck)
        assert (row["state"], row["error_kind"]) == ("failed", CLEANER_TIMEOUT)
        assert fetch_kinds(db, stuck) == [CLEANER_TIMEOUT]
        assert article_count(db) == 10
        with open_store(str(db)) as store:
            assert None not in [store.article_for_url(site.url(path)) for path in paths[1:]]
