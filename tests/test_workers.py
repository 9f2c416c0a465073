"""Four ``scrape crawl --forever`` workers on one PostgreSQL database, one killed with kill -9.

The workers are real processes; the synthetic site (8 loopback hosts) runs in
this process and logs every request, so politeness across workers is read
from what the server saw, not from what the workers believe.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from synthetic_site import SyntheticSite, loopback_hosts, serve, sources_toml

from scraper.storage import open_store

WORKERS = 4
HOSTS = 8
ARTICLES_PER_HOST = 8
DELAY = 0.2  # seconds between two requests to one host (sources file)
LEASE = 4.0  # seconds; short, so the dead worker's URLs come back within the test
IN_FLIGHT = 1.0  # seconds after the kill in which the victim's last request may be logged
FINISH_TIMEOUT = 300.0  # generous: the machine may be busy with other work


@pytest.fixture
def site() -> Iterator[SyntheticSite]:
    with serve(SyntheticSite(loopback_hosts(HOSTS), ARTICLES_PER_HOST)) as served:
        yield served


def start_worker(sources: Path, db_url: str, log: Path) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "scraper", "crawl", str(sources),
        "--db", db_url,
        "--forever",
        "--clean-workers", "1",  # four workers on two cores: one cleaner each is plenty
        "--lease", str(LEASE),
        "--discover-every", "600",
        "--allow-private", "127.0.0.0/8",
        "--no-progress",
    ]  # fmt: skip
    with log.open("wb") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)


def query(db_url: str, sql: str, **params: object) -> list[tuple]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def wait_for(condition: Callable[[], bool], timeout: float, what: str, db_url: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            states = query(db_url, "SELECT state, count(*) FROM frontier GROUP BY state")
            pytest.fail(f"timed out waiting for {what}; frontier: {states}")
        time.sleep(0.2)


def leases_of(db_url: str, pid: int) -> list[tuple[str, datetime]]:
    """The URLs the worker with ``pid`` holds, with their lease expiry."""
    return [
        (url, expires)
        for url, expires in query(
            db_url,
            "SELECT url, lease_expires_at FROM frontier"
            " WHERE state = 'in_progress' AND lease_owner LIKE :owner",
            owner=f"%:{pid}:%",
        )
    ]


@pytest.mark.slow
def test_four_workers_share_the_site_politely_and_survive_kill_9(
    tmp_path: Path, postgres_url: str, site: SyntheticSite
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml(site, delay=DELAY), encoding="utf-8")
    open_store(postgres_url).close()  # schema first, so workers race on rows only
    expected = site.all_article_urls()
    workers = [
        start_worker(sources, postgres_url, tmp_path / f"worker{n}.log") for n in range(WORKERS)
    ]
    by_pid = {process.pid: process for process in workers}
    victim: subprocess.Popen[bytes] | None = None
    try:

        def articles() -> int:
            return int(query(postgres_url, "SELECT count(*) FROM articles")[0][0])

        def finished() -> bool:
            unfinished = query(
                postgres_url,
                "SELECT count(*) FROM frontier WHERE state IN ('pending', 'in_progress')",
            )[0][0]
            return unfinished == 0 and articles() >= len(expected)

        def a_worker_holds_leases_mid_run() -> bool:
            nonlocal victim
            if finished():
                pytest.fail("the site was crawled before a worker could be killed")
            if articles() < ARTICLES_PER_HOST:
                return False
            owners = query(
                postgres_url,
                "SELECT DISTINCT lease_owner FROM frontier WHERE state = 'in_progress'",
            )
            holders = [by_pid.get(int(owner.split(":")[-2])) for (owner,) in owners if owner]
            victim = next((process for process in holders if process is not None), None)
            return victim is not None

        # Kill a worker while it holds leases, once the crawl is well under way.
        wait_for(a_worker_holds_leases_mid_run, FINISH_TIMEOUT, "a lease holder", postgres_url)
        assert victim is not None
        os.kill(victim.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        killed_wall = datetime.now(UTC)
        victim.wait(30)
        orphans = leases_of(postgres_url, victim.pid)  # after death: truly left behind
        assert orphans

        wait_for(finished, FINISH_TIMEOUT, "the surviving workers to finish the site", postgres_url)
    finally:
        for process in workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = [process.wait(60) for process in workers if process is not victim]
    logs = "\n".join(path.read_text(errors="replace") for path in tmp_path.glob("worker*.log"))
    assert codes == [0] * (WORKERS - 1), logs

    # Every article stored exactly once.
    with open_store(postgres_url) as store:
        ids = {url: store.article_for_url(url) for url in expected}
        assert None not in ids.values()
        assert len(set(ids.values())) == len(expected) == store.count_articles()

    # Per host, no two requests closer than the delay, whichever workers sent them.
    for host in site.hosts:
        times = [request.at for request in site.requests(host)]
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert min(gaps) >= DELAY, (host, min(gaps))

    # The dead worker's URLs were taken up by others once its leases expired, and
    # fetched again then (unless robots.txt forbids them: those are skipped unfetched).
    for url, expires in orphans:
        [(state, updated)] = query(
            postgres_url, "SELECT state, updated_at FROM frontier WHERE url = :url", url=url
        )
        assert updated >= expires, url
        if state == "skipped":
            continue
        expiry = killed_at + (expires - killed_wall).total_seconds()
        parts = urlsplit(url)
        later = [
            r.at
            for r in site.requests(parts.hostname)
            if urlsplit(r.path).path == parts.path and r.at > killed_at
        ]
        assert later, url
        # The victim's own request, sent just before SIGKILL, may be read by the (loaded)
        # test server just after it: only a request after that, and before the lease
        # ran out, is a survivor fetching a URL it did not hold.
        early = [at - expiry for at in later if killed_at + IN_FLIGHT < at < expiry - 0.05]
        assert not early, (url, early)
        assert max(later) >= expiry - 0.05, (url, max(later) - expiry)

    # robots.txt and feeds read once per host, not once per worker (the kill may cost one more).
    for suffix in ("/robots.txt", "/feed/"):
        counts = [sum(r.path == suffix for r in site.requests(host)) for host in site.hosts]
        assert min(counts) == 1 and sum(counts) <= HOSTS + 1, (suffix, counts)

    # The survivors stopped cleanly on SIGTERM, and finished the victim's share. (How the
    # rest was split depends on who started first: a worker keeps a host while it has
    # due URLs, and 8 hosts fit in one worker's concurrency.)
    fetched = query(
        postgres_url, "SELECT fetched FROM crawl_runs WHERE finished_at IS NOT NULL ORDER BY id"
    )
    assert len(fetched) == WORKERS - 1
    assert sum(count for (count,) in fetched) > 0


@pytest.mark.slow
def test_two_cron_runs_on_postgresql_share_the_work_instead_of_exiting_75(
    tmp_path: Path, postgres_url: str
) -> None:
    small = SyntheticSite(loopback_hosts(2, first=20), 5)
    with serve(small):
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(small, delay=0.05), encoding="utf-8")
        open_store(postgres_url).close()
        command = [
            sys.executable, "-m", "scraper", "crawl", str(sources), "--db", postgres_url,
            "--clean-workers", "1", "--allow-private", "127.0.0.0/8",
        ]  # fmt: skip
        runs = [
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for _ in range(2)
        ]
        results = [run.communicate(timeout=300) for run in runs]
        expected = small.all_article_urls()
    assert [run.returncode for run in runs] == [0, 0], results
    with open_store(postgres_url) as store:
        ids = {url: store.article_for_url(url) for url in expected}
        assert None not in ids.values()
        assert len(set(ids.values())) == len(expected) == store.count_articles()
    for host in small.hosts:  # each source's seeds read by one run only
        assert sum(r.path == "/feed/" for r in small.requests(host)) == 1
