"""``scrape stats`` numbers on a small database whose contents the test knows."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from nlp_corpus import article_text, save_article
from sqlalchemy import update

from cleaners import Article, Reason
from scraper.cli import main
from scraper.errors import FetchErrorKind
from scraper.outputs.stats import HostFetches, collect_stats
from scraper.records import FetchAttempt
from scraper.storage import Store, open_store
from scraper.storage.models import ArticleRow

DAY_1 = datetime(2025, 6, 27, 9, 30, tzinfo=UTC)
DAY_2 = datetime(2025, 6, 28, 23, 59, tzinfo=UTC)


def fail(store: Store, url: str, kind: str, at: datetime = DAY_2) -> None:
    store.save(FetchAttempt(url, at, error_kind=kind, error_message=kind), None, ())


def empty_page(store: Store, url: str) -> None:
    attempt = FetchAttempt(url, DAY_2, url, 200, "text/html", 1000)
    store.save(attempt, Article(url=url, reason=Reason.NOT_ARTICLE), ())


def first_seen(store: Store, article_id: int | None, moment: datetime) -> None:
    with store.write() as conn:
        conn.execute(
            update(ArticleRow).where(ArticleRow.id == article_id).values(first_seen=moment)
        )


@pytest.fixture
def db(tmp_path: Path) -> str:
    """a.example (hosts are keyed without www.): 3 articles (fr, fr, en) over two days,
    1 timeout, 1 empty page; b.example: 1 article (no language), 2 HTTP errors, 1 timeout."""
    path = str(tmp_path / "scrape.db")
    with open_store(path) as store:
        for n, (language, day) in enumerate([("fr", DAY_1), ("fr", DAY_2), ("en", DAY_2)]):
            saved = save_article(
                store, f"https://www.a.example/{n}", article_text(n), language=language
            )
            first_seen(store, saved.article_id, day)
        fail(store, "https://www.a.example/slow", FetchErrorKind.TIMEOUT)
        empty_page(store, "https://www.a.example/rubrique")
        saved = save_article(store, "https://b.example/x", article_text(9))
        first_seen(store, saved.article_id, DAY_2)
        fail(store, "https://b.example/gone", FetchErrorKind.HTTP_STATUS)
        fail(store, "https://b.example/gone2", FetchErrorKind.HTTP_STATUS)
        fail(store, "https://b.example/slow", FetchErrorKind.TIMEOUT, at=DAY_1)
    return path


def test_article_counts(db: str) -> None:
    with open_store(db) as store:
        stats = collect_stats(store)
    assert stats.articles == 4
    assert stats.by_site == (("a.example", 3), ("b.example", 1))
    assert stats.by_day == (("2025-06-27", 1), ("2025-06-28", 3))
    assert stats.by_language == (("fr", 2), ("en", 1), ("unknown", 1))


def test_fetch_failures_and_empty_share_per_host(db: str) -> None:
    with open_store(db) as store:
        hosts = {host.host: host for host in collect_stats(store).hosts}
    assert hosts["a.example"] == HostFetches(
        host="a.example",
        fetches=5,
        failed=2,
        failed_by_kind=(("empty", 1), ("timeout", 1)),
        extracted=4,
        empty=1,
    )
    assert hosts["a.example"].failure_rate == pytest.approx(2 / 5)
    assert hosts["a.example"].empty_share == pytest.approx(1 / 4)
    b = hosts["b.example"]
    assert (b.fetches, b.failed, b.failed_by_kind) == (4, 3, (("http_status", 2), ("timeout", 1)))
    assert (b.extracted, b.empty, b.empty_share) == (1, 0, 0.0)


def test_since_restricts_articles_and_fetches(db: str) -> None:
    with open_store(db) as store:
        stats = collect_stats(store, since=datetime(2025, 6, 28, tzinfo=UTC))
    assert stats.articles == 3
    assert stats.by_day == (("2025-06-28", 3),)
    b = next(host for host in stats.hosts if host.host == "b.example")
    assert b.failed_by_kind == (("http_status", 2),)  # the timeout was on day 1


def test_cli_text_and_json(db: str) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["stats", "--db", db])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("articles: 4\n")
    assert "a.example" in text.stdout and "2025-06-27" in text.stdout
    assert "http_status 2, timeout 1" in text.stdout

    as_json = runner.invoke(main, ["stats", "--db", db, "--format", "json"])
    record = json.loads(as_json.stdout)
    assert record["by_language"] == {"fr": 2, "en": 1, "unknown": 1}
    host = next(h for h in record["hosts"] if h["host"] == "a.example")
    assert host["empty_share"] == pytest.approx(0.25)
    assert host["failed_by_kind"] == {"empty": 1, "timeout": 1}
