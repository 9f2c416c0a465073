"""``scrape reclean`` shared by several recleaners over one PostgreSQL database.

Recleaners are real ``scrape reclean`` processes. A trigger the test adds counts
every committed write of an article's ``cleaner_version`` (reclean sets it in
each article it writes, and nothing else in a reclean does): a rolled-back
batch leaves no count, so "written once" is read from the database itself.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from nlp_corpus import paragraphs, save_article
from sqlalchemy import func, select, text

import cleaners
from scraper.reclean import RecleanSelection, reclean
from scraper.reclean.ranges import IdRange, RangeClaim, RangeLost, claim_range, record_progress
from scraper.reclean.run import WRITE_BATCH
from scraper.storage import Store, open_store
from scraper.storage.archive import RawPage
from scraper.storage.models import ArticleRow, RecleanRangeRow

ARTICLES = 150
RANGE_SIZE = 40
KILLED_RANGE_SIZE = 3 * WRITE_BATCH  # written in three transactions: a kill can land in between
LEASE_SECONDS = 2.0
DEADLINE_SECONDS = 240  # a recleaner slower than this on a loaded machine is stuck
HEADERS = (("content-type", "text/html; charset=utf-8"),)

COUNT_WRITES = [
    "CREATE TABLE reclean_writes (article_id integer NOT NULL)",
    """CREATE FUNCTION count_reclean_write() RETURNS trigger AS $$
       BEGIN INSERT INTO reclean_writes VALUES (NEW.id); RETURN NEW; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER count_reclean_write AFTER UPDATE OF cleaner_version ON articles
       FOR EACH ROW EXECUTE FUNCTION count_reclean_write()""",
]


def page(seed: int) -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs(seed, 6))
    title = f"Dépêche {seed}"
    html = f"<html lang='fr'><head><title>{title}</title></head><body><article><h1>{title}</h1>"
    return f"{html}{body}</article></body></html>".encode()


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    """Articles stored with a placeholder text, as an older cleaner might have left them."""
    with open_store(postgres_url) as opened:
        for seed in range(ARTICLES):
            url = f"https://a.example/{seed}"
            save_article(opened, url, f"placeholder {seed}", raw=RawPage(page(seed), HEADERS))
        with opened.write() as conn:
            for statement in COUNT_WRITES:
                conn.execute(text(statement))
        yield opened


def start_recleaner(url: str, range_size: int = RANGE_SIZE) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "scraper", "reclean", "--db", url, "--workers", "1"]
    command += ["--range-size", str(range_size), "--lease", str(LEASE_SECONDS)]
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def pages_done(process: subprocess.Popen[str]) -> int:
    output, _ = process.communicate(timeout=DEADLINE_SECONDS)
    assert process.returncode == 0, output
    found = re.search(r"reclean: (\d+) pages", output)
    assert found is not None, output
    return int(found[1])


def writes_per_article(store: Store) -> dict[int, int]:
    with store.read() as conn:
        counted = dict.fromkeys(conn.execute(select(ArticleRow.id)).scalars(), 0)
        for article_id, writes in conn.execute(
            text("SELECT article_id, count(*) FROM reclean_writes GROUP BY article_id")
        ):
            counted[article_id] = writes
    return counted


def unfinished_ranges(store: Store) -> int:
    with store.read() as conn:
        query = select(func.count()).where(RecleanRangeRow.done_through < RecleanRangeRow.last_id)
        return conn.execute(query).scalar_one()


def partly_written_ranges(store: Store) -> int:
    with store.read() as conn:
        query = select(func.count()).where(
            RecleanRangeRow.done_through >= RecleanRangeRow.first_id,
            RecleanRangeRow.done_through < RecleanRangeRow.last_id,
        )
        return conn.execute(query).scalar_one()


def kill_in_mid_range(process: subprocess.Popen[str], store: Store) -> None:
    """SIGKILL the recleaner (and its cleaning workers) while a range is partly written.

    Between two ranges nothing is left unfinished, so the process group is first
    frozen with SIGSTOP, the database read, and the kill sent only if the frozen
    recleaner holds a partly written range; otherwise it runs on and is tried again.
    """
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        assert time.monotonic() < deadline and process.poll() is None
        if partly_written_ranges(store):
            os.killpg(process.pid, signal.SIGSTOP)
            time.sleep(0.1)  # a commit already sent when it froze lands before the read
            if partly_written_ranges(store):
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()  # reaps it and closes its pipe
                return
            os.killpg(process.pid, signal.SIGCONT)
        time.sleep(0.02)


@pytest.mark.slow
def test_two_recleaners_at_once_write_every_article_once(store: Store, postgres_url: str) -> None:
    first, second = start_recleaner(postgres_url), start_recleaner(postgres_url)

    assert pages_done(first) + pages_done(second) == ARTICLES
    assert set(writes_per_article(store).values()) == {1}
    assert unfinished_ranges(store) == 0
    with store.read() as conn:
        versions = conn.execute(select(ArticleRow.cleaner_version).distinct()).scalars().all()
        texts = conn.execute(select(ArticleRow.text).order_by(ArticleRow.id)).scalars().all()
    assert versions == [cleaners.__version__]
    assert all(paragraph in texts[7] for paragraph in paragraphs(7, 6))


@pytest.mark.slow
def test_a_killed_recleaners_range_is_finished_by_a_later_run(
    store: Store, postgres_url: str
) -> None:
    doomed = start_recleaner(postgres_url, KILLED_RANGE_SIZE)
    kill_in_mid_range(doomed, store)
    written = writes_per_article(store)
    assert 0 < sum(written.values()) < ARTICLES
    assert unfinished_ranges(store) == 1  # claimed, partly written, its lease still running

    later = start_recleaner(postgres_url, KILLED_RANGE_SIZE)

    assert pages_done(later) == ARTICLES - sum(written.values())
    assert set(writes_per_article(store).values()) == {1}
    assert unfinished_ranges(store) == 0


@pytest.mark.slow
def test_the_same_run_again_covers_only_articles_stored_since(store: Store) -> None:
    first = reclean(store, workers=1, range_size=RANGE_SIZE)
    again = reclean(store, workers=1, range_size=RANGE_SIZE)
    save_article(store, "https://a.example/new", "placeholder", raw=RawPage(page(999), HEADERS))
    after_new = reclean(store, workers=1, range_size=RANGE_SIZE)
    other_selection = reclean(store, RecleanSelection(site="a.example"), workers=1)

    assert (first.pages, first.changed) == (ARTICLES, ARTICLES)
    assert again.pages == 0
    assert (after_new.pages, after_new.changed) == (1, 1)
    assert other_selection.pages == ARTICLES + 1  # another selection is another run


def test_a_range_taken_over_fences_off_its_slow_first_owner(store: Store) -> None:
    now = datetime.now(UTC)
    slow = RangeClaim("run", "slow", size=RANGE_SIZE, lease=timedelta(seconds=LEASE_SECONDS))
    quick = RangeClaim("run", "quick", size=RANGE_SIZE, lease=timedelta(seconds=LEASE_SECONDS))
    with store.write() as conn:
        taken = claim_range(conn, slow, now)
        assert taken is not None and (taken.first_id, taken.done_through) == (1, 0)
        record_progress(conn, slow, taken, 4, now)
    with store.write() as conn:  # while the lease runs, the next range is another one
        assert claim_range(conn, quick, now) == IdRange(41, 80, 40)
    later = now + timedelta(seconds=LEASE_SECONDS + 1)
    with store.write() as conn:
        assert claim_range(conn, quick, later) == IdRange(1, 40, 4)  # resumes after 4
    with pytest.raises(RangeLost), store.write() as conn:
        record_progress(conn, slow, taken, 40, later)
    with store.write() as conn:  # the last range ends at the last article; nothing is left
        assert claim_range(conn, quick, now) == IdRange(81, 120, 80)
        assert claim_range(conn, quick, now) == IdRange(121, ARTICLES, 120)
        assert claim_range(conn, quick, now) is None
