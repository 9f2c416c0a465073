"""``scrape crawl`` end to end, against the synthetic site on several loopback hosts.

The crawler runs as a real process (``python -m scraper crawl``) so that kill -9,
the run lock and exit codes are the real thing; the site runs in this process
and logs every request it answers.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from click.testing import CliRunner
from synthetic_site import SyntheticSite, loopback_hosts, serve, sources_toml

from scraper.cli import main
from scraper.storage import open_store

DELAY = 0.05  # seconds between two requests to one host, in the sources file
CRAWL_DELAY = 0.08  # what robots.txt asks for: more than DELAY, so it must win
LOOPBACK = "127.0.0.0/8"


def crawl_command(sources: Path, db: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "scraper", "crawl", str(sources), "--db", str(db), *extra]


def run_crawl(sources: Path, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    command = crawl_command(sources, db, "--allow-private", LOOPBACK, *extra)
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def stored_urls(db: Path, urls: set[str]) -> dict[str, int | None]:
    with open_store(str(db)) as store:
        return {url: store.article_for_url(url) for url in urls}


def article_count(db: Path) -> int:
    with open_store(str(db)) as store:
        return store.count_articles()


def last_run(db: Path) -> sqlite3.Row:
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute("SELECT * FROM crawl_runs ORDER BY id DESC LIMIT 1").fetchone()


@pytest.fixture
def site() -> Iterator[SyntheticSite]:
    with serve(SyntheticSite(loopback_hosts(4), 50, crawl_delay=CRAWL_DELAY)) as served:
        yield served


@pytest.fixture
def sources(tmp_path: Path, site: SyntheticSite) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(sources_toml(site, delay=DELAY), encoding="utf-8")
    return path


@pytest.mark.slow
def test_crawl_stores_every_allowed_article_once_politely_then_only_new_ones(
    tmp_path: Path, site: SyntheticSite, sources: Path
) -> None:
    db = tmp_path / "crawl.db"
    first = run_crawl(sources, db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("crawl: discovered ")

    expected = site.all_article_urls()
    assert len(expected) == 200
    ids = stored_urls(db, expected)
    assert None not in ids.values()
    assert len(set(ids.values())) == 200  # each article once, despite the changing tails
    assert article_count(db) == 200

    assert not [r for r in site.log if r.path.startswith("/private/")]  # robots.txt obeyed
    assert all(r.headers.get("user-agent", "").startswith("newsclean/") for r in site.log)
    for host in site.hosts:
        times = [r.at for r in site.requests(host)]
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert min(gaps) >= CRAWL_DELAY, host

    run = last_run(db)
    assert (run["new"], run["duplicate"], run["failed"], run["exit_code"]) == (200, 0, 0, 0)
    assert run["finished_at"] is not None

    # Second run: five new articles; only they are fetched, the feeds answer 304.
    added = site.add_articles(site.hosts[0], 3) + site.add_articles(site.hosts[2], 2)
    seen = len(site.log)
    second = run_crawl(sources, db)
    assert second.returncode == 0, second.stderr
    fetched_articles = {r.path for r in site.log[seen:] if r.path.startswith("/2025/")}
    assert len(fetched_articles) == 5
    assert article_count(db) == 205
    assert None not in stored_urls(db, set(added)).values()
    run = last_run(db)
    # The feeds of the two hosts without new articles answer 304 to their ETag.
    assert (run["new"], run["duplicate"], run["unchanged"]) == (5, 0, 2)
    assert "new 5," in second.stdout


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_and_doubles_nothing(
    tmp_path: Path, site: SyntheticSite, sources: Path
) -> None:
    db = tmp_path / "crawl.db"
    rng = random.Random(20261122)
    command = crawl_command(sources, db, "--allow-private", LOOPBACK)
    for _ in range(5):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 3.0))
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)

    final = run_crawl(sources, db)
    assert final.returncode == 0, final.stderr
    ids = stored_urls(db, site.all_article_urls())
    assert None not in ids.values()
    assert len(set(ids.values())) == 200
    assert article_count(db) == 200
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        leased = conn.execute("SELECT count(*) FROM frontier WHERE state = 'in_progress'")
        assert leased.fetchone()[0] == 0


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                for child in map(int, children.read().split()):
                    found |= {child} | descendants(child)
    except FileNotFoundError:  # ended while being read
        pass
    return found


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_a_crawl_killed_with_kill_9_takes_its_worker_processes_with_it(
    tmp_path: Path, sources: Path
) -> None:
    command = crawl_command(sources, tmp_path / "crawl.db", "--allow-private", LOOPBACK)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        below: set[int] = set()
        # The cleaning workers are grandchildren (through the forkserver): wait for one.
        while time.monotonic() < deadline and not any(descendants(c) for c in below):
            time.sleep(0.2)
            below = descendants(process.pid)
        assert len(below) >= 3  # a forkserver and its workers, at least
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(running(pid) for pid in below):
        time.sleep(0.2)
    assert not [pid for pid in below if running(pid)]


@pytest.mark.slow
def test_two_runs_started_together_one_exits_75(
    tmp_path: Path, site: SyntheticSite, sources: Path
) -> None:
    db = tmp_path / "crawl.db"
    command = crawl_command(sources, db, "--allow-private", LOOPBACK, "--max-pages", "30")
    processes = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(120), p.stderr.read() if p.stderr else "") for p in processes]
    for process in processes:
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    codes = sorted(code for code, _ in results)
    assert codes == [0, 75]
    message = next(err for code, err in results if code == 75)
    assert message.count("\n") == 1 and "already running" in message


def test_a_bad_sources_file_exits_2_naming_the_key(tmp_path: Path) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "a"\nstart = ["http://a.example/"]\ndelai = 2\n')
    result = CliRunner().invoke(main, ["crawl", str(sources), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2
    assert "'delai'" in result.output


def test_a_bad_allow_private_value_exits_2(tmp_path: Path, sources: Path) -> None:
    result = CliRunner().invoke(
        main, ["crawl", str(sources), "--db", str(tmp_path / "x.db"), "--allow-private", "nope"]
    )
    assert result.exit_code == 2
    assert "--allow-private" in result.output


def test_without_allow_private_loopback_urls_are_refused(tmp_path: Path) -> None:
    site = SyntheticSite(loopback_hosts(1), 3)
    with serve(site):
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site, delay=0.0), encoding="utf-8")
        db = tmp_path / "crawl.db"
        command = crawl_command(sources, db)
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        served = list(site.log)
    assert result.returncode == 1
    assert "blocked_address" in result.stdout
    assert served == []
    assert article_count(db) == 0


@pytest.mark.slow
def test_max_pages_stops_the_run_and_the_next_run_carries_on(tmp_path: Path) -> None:
    site = SyntheticSite(loopback_hosts(2, first=60), 15)
    with serve(site):
        sources = tmp_path / "sources.toml"
        sources.write_text(sources_toml(site, delay=0.0), encoding="utf-8")
        db = tmp_path / "crawl.db"
        first = run_crawl(sources, db, "--max-pages", "10")
        assert first.returncode == 0, first.stderr
        assert last_run(db)["fetched"] <= 10 + len(site.hosts)  # in flight per host finishes
        assert article_count(db) < 30
        second = run_crawl(sources, db)
        assert second.returncode == 0, second.stderr
    assert article_count(db) == 30
