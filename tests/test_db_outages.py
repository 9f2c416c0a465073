"""Database outages (issue 16): the server restarted or stopped under real workers, a SQLite
file locked by another connection mid-crawl.

Everything is real: a throwaway PostgreSQL cluster of its own (stopped with ``-m fast`` and
started again on the same port, as an administrator does), ``scrape`` run as a process,
the synthetic site on loopback hosts logging every request it answers.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest_db import started_cluster
from pg import PostgresCluster
from synthetic_site import SyntheticSite, loopback_hosts, serve, sources_toml

import cleaners
from scraper.cli import main
from scraper.reclean import RecleanReport, reclean
from scraper.storage import open_store
from scraper.storage.outage import FIRST_RETRY, MAX_RETRY, retry_delay

EX_UNAVAILABLE = 69
OUTAGE = 15.0  # seconds the server stays down in the restart test, as in the issue
TIMEOUT = 240.0  # generous: the machine is shared


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    """A cluster of this module's own: its tests stop it, and must not stop anyone else's."""
    yield from started_cluster()


@pytest.fixture
def pg_url(cluster: PostgresCluster) -> Iterator[str]:
    url = cluster.new_database()
    open_store(url).close()  # the schema first, so workers race on rows only
    try:
        yield url
    finally:
        if not cluster.running:  # a test that failed while the server was down
            cluster.start_server()
        cluster.drop_database(url)


def crawl_command(sources: Path, db_url: str, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "scraper", "crawl", str(sources), "--db", db_url,
        "--clean-workers", "1", "--allow-private", "127.0.0.0/8", "--no-progress", *options,
    ]  # fmt: skip


def write_sources(directory: Path, site: SyntheticSite, delay: float) -> Path:
    sources = directory / "sources.toml"
    sources.write_text(sources_toml(site, delay=delay), encoding="utf-8")
    return sources


def wait_until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.1)


def stored(db_url: str) -> int:
    with open_store(db_url) as store:
        return store.count_articles()


def fetches_per_article(site: SyntheticSite) -> Counter[str]:
    """How many times the site served each of its article pages (links may add a query)."""
    articles = {urlsplit(url).path for url in site.all_article_urls()}
    paths = ((request.host, urlsplit(request.path).path) for request in site.requests())
    return Counter(f"{host}{path}" for host, path in paths if path in articles)


def assert_each_article_fetched_once(site: SyntheticSite) -> None:
    fetched = fetches_per_article(site)
    assert len(fetched) == len(site.all_article_urls())
    assert set(fetched.values()) == {1}, fetched.most_common(3)


def assert_each_article_stored_once(db_url: str, site: SyntheticSite) -> None:
    expected = site.all_article_urls()
    with open_store(db_url) as store:
        ids = {url: store.article_for_url(url) for url in expected}
        assert None not in ids.values()
        assert len(set(ids.values())) == len(expected) == store.count_articles()


@pytest.mark.slow
def test_two_forever_workers_ride_out_a_postgresql_restart(
    tmp_path: Path, cluster: PostgresCluster, pg_url: str
) -> None:
    with serve(SyntheticSite(loopback_hosts(3, first=60), 20)) as site:
        sources = write_sources(tmp_path, site, delay=0.3)
        command = crawl_command(sources, pg_url, "--forever", "--discover-every", "600")
        logs = [tmp_path / f"worker{n}.log" for n in range(2)]
        workers = []
        for log in logs:
            with log.open("wb") as output:
                workers.append(subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT))
        try:
            wait_until(lambda: stored(pg_url) >= 5, "the crawl to get going")
            cluster.stop_server()
            time.sleep(OUTAGE)
            assert [worker.poll() for worker in workers] == [None, None]
            cluster.start_server()

            def done() -> bool:
                return stored(pg_url) == len(site.all_article_urls())

            wait_until(done, "the workers to finish the site")
            assert [worker.poll() for worker in workers] == [None, None]
        finally:
            for worker in workers:
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
            codes = [worker.wait(60) for worker in workers]
        outputs = [log.read_text(errors="replace") for log in logs]
        assert codes == [0, 0], outputs
        assert_each_article_stored_once(pg_url, site)
        # What was fetched before or during the outage was kept and written: none twice.
        assert_each_article_fetched_once(site)
    for output in outputs:
        assert "Traceback" not in output
        assert output.count("database unreachable since") == 1, output  # one line a change
        assert output.count("database back after") == 1, output


@pytest.mark.slow
def test_a_worker_gives_up_past_the_outage_limit_with_one_line_and_exit_69(
    tmp_path: Path, cluster: PostgresCluster, pg_url: str
) -> None:
    limit = 3.0
    with serve(SyntheticSite(loopback_hosts(2, first=70), 30)) as site:
        sources = write_sources(tmp_path, site, delay=0.3)
        command = crawl_command(sources, pg_url, "--forever", "--db-outage-limit", str(limit))
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as worker:
            wait_until(lambda: stored(pg_url) >= 3, "the crawl to get going")
            cluster.stop_server()
            stopped_at = time.monotonic()
            out, err = worker.communicate(timeout=TIMEOUT)
            waited = time.monotonic() - stopped_at
    assert worker.returncode == EX_UNAVAILABLE, err
    assert out == b""  # no summary: the run did not end
    down, error = err.decode().splitlines()
    assert down.startswith("scrape: WARNING: database unreachable since")
    assert error.startswith("Error: database unavailable for")
    assert "--db-outage-limit" in error and pg_url in error
    assert limit <= waited < limit + 30


@pytest.mark.slow
def test_a_run_without_forever_ends_at_once_when_the_server_goes_mid_run(
    tmp_path: Path, cluster: PostgresCluster, pg_url: str
) -> None:
    with serve(SyntheticSite(loopback_hosts(2, first=75), 30)) as site:
        sources = write_sources(tmp_path, site, delay=0.3)
        with subprocess.Popen(
            crawl_command(sources, pg_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as run:
            wait_until(lambda: stored(pg_url) >= 3, "the crawl to get going")
            cluster.stop_server()
            stopped_at = time.monotonic()
            out, err = run.communicate(timeout=TIMEOUT)
            waited = time.monotonic() - stopped_at
    assert run.returncode == EX_UNAVAILABLE, err
    assert out == b""
    (line,) = err.decode().splitlines()  # its source locks' session went too: no second error
    assert line.startswith(f"Error: database unreachable: {pg_url}: ")
    assert waited < 30  # at once, not after a wait for the server


def test_a_cron_run_against_a_stopped_server_exits_69_in_one_line(
    tmp_path: Path, cluster: PostgresCluster, pg_url: str
) -> None:
    with_password = pg_url.replace("postgres@", "postgres:s3cret@")
    sources = tmp_path / "sources.toml"
    sources.write_text('[[sources]]\nname = "a"\nstart = ["http://127.0.0.1:9/"]\n')
    page = tmp_path / "page.html"
    page.write_text("<html><body><article><p>Some text.</p></article></body></html>")
    cluster.stop_server()
    try:
        cron = subprocess.run(
            crawl_command(sources, with_password),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        runner = CliRunner()
        others = {
            name: runner.invoke(main, [*args, "--db", with_password])
            for name, args in {
                "get": [str(page)],
                "export": ["export"],
                "search": ["search", "budget"],
                "stats": ["stats"],
                "reclean": ["reclean"],
                "warc": ["warc", "-o", str(tmp_path / "pages.warc.gz")],
                "db upgrade": ["db", "upgrade"],
            }.items()
        }
    finally:
        cluster.start_server()
    assert cron.returncode == EX_UNAVAILABLE, cron.stderr
    assert cron.stdout == ""
    (line,) = cron.stderr.splitlines()
    assert line.startswith("Error: database unreachable: postgresql+psycopg://postgres:***@")
    assert "s3cret" not in line and "Connection refused" in line
    for name, result in others.items():
        assert result.exit_code == EX_UNAVAILABLE, (name, result.output)
        (line,) = result.stderr.splitlines()
        assert line.startswith("Error: database unreachable:"), (name, line)
        assert "s3cret" not in line, name


@pytest.mark.slow
def test_sqlite_locked_past_the_busy_timeout_mid_crawl_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "scrape.db"
    open_store(str(db)).close()
    # A busy timeout of half a second (the driver's own URL parameter), so that a lock of
    # a few seconds outlasts it, as a backup holding the file for minutes would outlast 30 s.
    db_url = f"sqlite:///{db}?timeout=0.5"
    lock_held = 3.0
    with serve(SyntheticSite(loopback_hosts(2, first=80), 15)) as site:
        sources = write_sources(tmp_path, site, delay=0.1)
        with subprocess.Popen(
            crawl_command(sources, db_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        ) as crawl:
            wait_until(lambda: articles_in(db) >= 3, "the crawl to get going")
            with sqlite3.connect(db, timeout=30, isolation_level=None) as other:
                other.execute("BEGIN EXCLUSIVE")  # another program's transaction
                assert crawl.poll() is None, "the crawl ended before the lock"
                time.sleep(lock_held)
                other.execute("COMMIT")
            out, err = crawl.communicate(timeout=TIMEOUT)
        assert crawl.returncode == 0, err
        assert_each_article_stored_once(str(db), site)
        assert_each_article_fetched_once(site)
    assert " failed 0," in out.decode()
    log = err.decode()
    assert log.count("database locked since") == 1, log
    assert log.count("database back after") == 1, log
    with sqlite3.connect(db) as conn:
        failed = conn.execute("SELECT count(*) FROM fetches WHERE error_kind IS NOT NULL")
        assert failed.fetchone()[0] == 0


def articles_in(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]


def slow_extract(seconds: float, *args: object, **kwargs: object) -> cleaners.Article:
    """The cleaner, taking its time: the reclean lasts long enough to lose its database."""
    time.sleep(seconds)
    return cleaners.extract(*args, **kwargs)


@pytest.mark.slow
def test_a_shared_reclean_rides_out_a_postgresql_restart(
    tmp_path: Path, cluster: PostgresCluster, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with serve(SyntheticSite(loopback_hosts(2, first=90), 10)) as site:
        sources = write_sources(tmp_path, site, delay=0.0)
        done = subprocess.run(crawl_command(sources, pg_url), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
    pages = stored(pg_url)
    first_write = threading.Event()
    reports: list[RecleanReport] = []

    def run() -> None:
        with open_store(pg_url) as store:
            reports.append(
                reclean(
                    store,
                    workers=1,
                    extract=partial(slow_extract, 0.2),
                    version="outage-test",
                    range_size=4,
                    on_progress=lambda _: first_write.set(),
                )
            )

    recleaner = threading.Thread(target=run)
    recleaner.start()
    try:
        assert first_write.wait(TIMEOUT)
        cluster.stop_server()
        time.sleep(3)
        cluster.start_server()
    finally:
        recleaner.join(TIMEOUT)
    [report] = reports
    assert report.pages == pages == 20
    with open_store(pg_url) as store:
        versions = {article.cleaner_version for article in store.iter_articles()}
    assert versions == {"outage-test"}
    messages = [record.getMessage() for record in caplog.records]
    assert sum("database unreachable since" in message for message in messages) == 1, messages
    assert sum("database back after" in message for message in messages) == 1, messages


def test_retries_back_off_exponentially_with_jitter_up_to_a_cap() -> None:
    for attempt in range(12):
        step = min(MAX_RETRY, FIRST_RETRY * 2**attempt)
        delays = {retry_delay(attempt) for _ in range(50)}
        assert all(step / 2 <= delay <= step for delay in delays)
        assert len(delays) > 1  # jittered: workers that failed together spread out
