"""Fault catalogue (issue 6), storage-level items: locks, a full disk, concurrent writers.

Real processes and real SQLite files throughout: the lock holder, the writers
and the command under test are separate processes, as they are in production
(cron runs overlapping an export, a backup tool holding the database).
"""

from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from fault_server import ARTICLE_PARAGRAPHS, article_html
from sqlalchemy import Engine, event

from scraper.cli import main
from scraper.storage import open_store

SCRAPE = [sys.executable, "-m", "scraper"]


def integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def saved_page(directory: Path, number: int) -> Path:
    """A distinct article as a saved page, about 2 KB of text."""
    page = directory / f"story-{number}.html"
    extra = "".join(f"<p>Item {number}: {text}</p>" for text in ARTICLE_PARAGRAPHS)
    page.write_text(article_html(f"Story number {number}", extra), encoding="utf-8")
    return page


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "store.db"
    with open_store(str(path)):
        pass  # created at head, so the tests below measure only their own writes
    return path


# 18. The database locked by another process for a few seconds

HOLD_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
print(time.time(), flush=True)
"""


def test_s18_a_locked_database_is_waited_for_and_nothing_is_lost(db: Path, tmp_path: Path) -> None:
    pages = [str(saved_page(tmp_path, n)) for n in range(3)]
    with subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(db), "3"], stdout=subprocess.PIPE, text=True
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        done = subprocess.run(
            [*SCRAPE, *pages, "--db", str(db), "--format", "json"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        finished_at = time.time()
        released_at = float(holder.stdout.readline())
    assert done.returncode == 0, done.stderr
    assert finished_at >= released_at  # it waited for the lock instead of failing
    assert [json.loads(line)["status"] for line in done.stdout.splitlines()] == ["new"] * 3
    assert count(db, "articles") == 3
    assert integrity(db) == "ok"


# 19. Disk full: PRAGMA max_page_count for the database, RLIMIT_FSIZE for exports


@pytest.fixture
def page_limit() -> Iterator[list[int]]:
    """While the list holds a number, every new SQLite connection may not grow past it."""
    limit: list[int] = []

    def cap(dbapi_connection: sqlite3.Connection, _: object) -> None:
        if limit:
            dbapi_connection.execute(f"PRAGMA max_page_count = {limit[0]}")

    event.listen(Engine, "connect", cap)
    try:
        yield limit
    finally:
        event.remove(Engine, "connect", cap)


def test_s19_full_database_exits_cleanly_and_the_next_run_resumes(
    db: Path, tmp_path: Path, page_limit: list[int]
) -> None:
    pages = [str(saved_page(tmp_path, n)) for n in range(40)]
    with sqlite3.connect(db) as conn:
        page_limit.append(conn.execute("PRAGMA page_count").fetchone()[0] + 2)
    runner = CliRunner()
    full = runner.invoke(main, [*pages, "--db", str(db), "--format", "json"])
    assert full.exit_code != 0
    assert full.exception is None or isinstance(full.exception, SystemExit)  # no traceback
    assert "full" in full.output.lower()
    stored_while_full = count(db, "articles")
    assert stored_while_full < len(pages)
    assert integrity(db) == "ok"

    page_limit.clear()  # space freed
    again = runner.invoke(main, [*pages, "--db", str(db), "--format", "json"])
    assert again.exit_code == 0, again.output
    statuses = [json.loads(line)["status"] for line in again.output.splitlines()]
    assert statuses.count("duplicate") == stored_while_full
    assert count(db, "articles") == len(pages)
    assert integrity(db) == "ok"


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_s19_export_on_a_full_disk_fails_cleanly_without_a_partial_file(
    db: Path, tmp_path: Path
) -> None:
    pages = [str(saved_page(tmp_path, n)) for n in range(30)]
    assert CliRunner().invoke(main, [*pages, "--db", str(db)]).exit_code == 0
    output = tmp_path / "articles.jsonl"
    export = [*SCRAPE, "export", "--db", str(db), "-o", str(output)]
    limit = 32 * 1024  # far less than 30 articles with their URLs
    full = subprocess.run(
        export,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=lambda: _limit_file_size(limit),
    )
    assert full.returncode != 0
    assert "Traceback" not in full.stderr
    assert full.stderr.strip()  # says why
    assert not output.exists()  # never a half file under the final name
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("articles")] == []

    done = subprocess.run(export, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert len(output.read_text(encoding="utf-8").splitlines()) == 30


# 20. Four concurrent writer processes with overlapping content

WRITER = """
import sys
from datetime import UTC, datetime
from cleaners import Article
from scraper.records import FetchAttempt
from scraper.storage import open_store

db, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open_store(db) as store:
    for number in range(first, last):
        url = f"https://news.example/story/{number}"
        text = (
            f"Story {number}. " + "The council met again to discuss the budget. " * 20
            + "\\n\\nA second paragraph closes the story about item " + str(number) + "."
        )
        attempt = FetchAttempt(requested_url=url, fetched_at=datetime.now(UTC), final_url=url,
                               status=200, content_type="text/html", byte_count=len(text))
        store.save(attempt, Article(text=text, title=f"Story {number}", url=url), [url])
"""


def test_s20_four_concurrent_writers_with_overlapping_content(db: Path) -> None:
    ranges = [(0, 40), (20, 60), (40, 80), (10, 70)]  # every story written by 2-3 processes
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(first), str(last)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, last in ranges
    ]
    errors = [writer.communicate(timeout=300)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0] * 4, errors
    assert count(db, "articles") == 80
    assert count(db, "article_urls") == 80
    assert count(db, "fetches") == sum(last - first for first, last in ranges)
    with sqlite3.connect(db) as conn:
        outcomes = dict(conn.execute("SELECT outcome, count(*) FROM fetches GROUP BY outcome"))
    assert outcomes == {"new": 80, "duplicate": sum(b - a for a, b in ranges) - 80}
    assert integrity(db) == "ok"
