"""``scrape health`` over a real database (SQLite and PostgreSQL): histories, lines, exit codes."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from nlp_corpus import article_text, save_article
from sqlalchemy import select

from cleaners import Article, paragraph_hash
from scraper.cli import main
from scraper.errors import FetchErrorKind
from scraper.outputs.health import CONSENT_OR_CHALLENGE, DRIFTING, EMPTY, HEALTHY, NEW, assess_hosts
from scraper.outputs.health_history import empty_reason, host_history, read_histories
from scraper.records import FetchAttempt
from scraper.storage import Store, open_store
from scraper.storage.models import FetchRow

START = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def articles(store: Store, host: str, count: int, first: int = 0) -> None:
    for n in range(first, first + count):
        url = f"https://{host}/2026/{n}"
        save_article(store, url, article_text(zlib.crc32(url.encode()), 6), fetched_at=at(n))


def empty_page(store: Store, url: str, when: datetime, reason: str) -> None:
    # Worded as the crawl words it (scraper.crawl.worker).
    attempt = FetchAttempt(
        url, when, url, 200, "text/html", 900, error_kind=FetchErrorKind.EMPTY,
        error_message=f"no article text ({reason})",
    )  # fmt: skip
    store.save(attempt, None, ())


def not_found(store: Store, url: str, when: datetime) -> None:
    attempt = FetchAttempt(
        url, when, url, 404, "text/html", 100, error_kind=FetchErrorKind.HTTP_STATUS,
        error_message="HTTP 404 Not Found",
    )  # fmt: skip
    store.save(attempt, None, ())


@pytest.fixture
def crawled(db_url: str) -> str:
    """wall.example turned into a consent wall in its last run; steady.example had a short
    article and a 404 in it; young.example has four pages."""
    with open_store(db_url) as store:
        articles(store, "wall.example", 30)
        for n in range(6):
            empty_page(store, f"https://wall.example/2026/w{n}", at(200 + n), "consent_wall")
        articles(store, "steady.example", 30)
        save_article(
            store, "https://steady.example/brief", "Une brève de vingt mots.", fetched_at=at(201)
        )
        not_found(store, "https://steady.example/gone", at(202))
        articles(store, "steady.example", 2, first=40)
        articles(store, "young.example", 4)
    return db_url


def test_histories_read_from_the_database_give_each_host_its_status(crawled: str) -> None:
    with open_store(crawled) as store:
        histories = read_histories(store)
    assert [h.host for h in histories] == ["steady.example", "wall.example", "young.example"]
    wall = histories[1].fetches
    assert [f.at for f in wall] == sorted(f.at for f in wall)
    assert wall[-1].reason == "consent_wall" and wall[0].words == 6 * 40

    status = {h.host: h for h in assess_hosts(histories)}
    assert {host: h.status for host, h in status.items()} == {
        "wall.example": DRIFTING,
        "steady.example": HEALTHY,
        "young.example": NEW,
    }
    drifts = {d.signal: d for d in status["wall.example"].drifts}
    assert set(drifts) == {CONSENT_OR_CHALLENGE, EMPTY}
    assert drifts[CONSENT_OR_CHALLENGE].since == at(200)
    assert (drifts[EMPTY].recent, drifts[EMPTY].recent_count) == (1.0, 6)


def test_the_history_is_the_latest_fetches_only(crawled: str) -> None:
    with open_store(crawled) as store, store.read() as conn:
        latest = host_history(conn, "wall.example", limit=10)
    assert len(latest.fetches) == 10
    assert latest.fetches[-1].at == at(205) and latest.fetches[0].at == at(26)


def test_cli_prints_one_line_per_drifted_host_and_exits_3(crawled: str) -> None:
    result = CliRunner().invoke(main, ["health", "--db", crawled])
    assert result.exit_code == 3, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("wall.example  consent_or_challenge 100% of 6 recent vs 0% of 30")
    assert "since 2026-11-02 09:20 UTC" in lines[0]
    assert lines[1] == "health: 1 drifting, 1 healthy, 1 new, 0 idle (3 hosts)"

    as_json = CliRunner().invoke(main, ["health", "--db", crawled, "--format", "json"])
    assert as_json.exit_code == 3
    record = json.loads(as_json.stdout)
    assert record["drifting"] == 1
    wall = next(h for h in record["hosts"] if h["host"] == "wall.example")
    assert wall["drifts"][0]["since"] == "2026-11-02T09:20:00+00:00"


def test_cli_exits_0_when_every_host_is_healthy(db_url: str) -> None:
    with open_store(db_url) as store:
        articles(store, "steady.example", 30)
    result = CliRunner().invoke(main, ["health", "--db", db_url])
    assert (result.exit_code, result.stdout) == (
        0,
        "health: 0 drifting, 1 healthy, 0 new, 0 idle (1 hosts)\n",
    )


def test_an_unreadable_database_exits_1_naming_it(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = CliRunner().invoke(main, ["health", "--db", str(bad)])
    assert result.exit_code == 1
    assert "not-a-db.db" in result.output


def test_each_fetch_keeps_its_share_of_learned_boilerplate(db_url: str) -> None:
    kept = "Premier paragraphe de l'article.\n\nSecond paragraphe de l'article."
    dropped = (paragraph_hash("Abonnez-vous."), paragraph_hash("Lire aussi."))
    attempt = FetchAttempt("https://a.example/1", START, "https://a.example/1", 200)
    with open_store(db_url) as store:
        store.save(attempt, Article(text=kept, boilerplate=dropped), [attempt.requested_url])
        empty_page(store, "https://a.example/2", START, "no_content")
        with store.read() as conn:
            shares = conn.execute(select(FetchRow.boilerplate_share).order_by(FetchRow.id)).all()
    assert [share for (share,) in shares] == [0.5, None]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("no article text (consent_wall)", "consent_wall"),  # scrape crawl
        ("no article text found (blocked)", "blocked"),  # scrape URL
        ("HTTP 404 Not Found", None),
        (None, None),
    ],
)
def test_the_cleaners_reason_is_read_from_either_wording(
    message: str | None, reason: str | None
) -> None:
    assert empty_reason(message) == reason
