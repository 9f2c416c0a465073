"""Storage on SQLite and PostgreSQL: dedup by content hash, URL links, failures, concurrency."""

from __future__ import annotations

import multiprocessing
import re
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nlp_corpus import article_text, syndicated_copy
from sqlalchemy import text

from cleaners import Article, Reason, content_hash
from scraper.config import DB_ENV_VAR, SQLITE_BUSY_TIMEOUT_MS
from scraper.errors import FetchErrorKind, MigrationError, StorageError
from scraper.records import FetchAttempt, SaveResult
from scraper.storage import (
    DUPLICATE,
    FAILED,
    NEW,
    Store,
    database_url,
    open_store,
    prepare_save,
)

TEXT = "Les alliés discutent des garanties de sécurité.\n\nUn second paragraphe suit."
OTHER_TEXT = "Une autre dépêche, sur un autre sujet.\n\nAvec son propre contenu."


def fetched(url: str, final_url: str | None = None, **fields: object) -> FetchAttempt:
    return FetchAttempt(
        requested_url=url,
        fetched_at=datetime.now(UTC),
        final_url=final_url or url,
        status=200,
        content_type="text/html; charset=utf-8",
        byte_count=1234,
        elapsed=0.05,
        **fields,  # type: ignore[arg-type]
    )


def save_page(
    store: Store, url: str, article_text: str, canonical: str | None = None
) -> SaveResult:
    article = Article(text=article_text, title="Titre", url=url, canonical_url=canonical)
    return store.save(fetched(url), article, [url, url, canonical])


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "scrape.db"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A fresh store on each dialect: a SQLite file, then a PostgreSQL database."""
    with open_store(db_url) as opened:
        yield opened


def rows(store: Store, query: str) -> list[tuple]:
    with store.read() as conn:
        return [tuple(row) for row in conn.execute(text(query))]


def test_same_text_via_two_urls_is_one_article_with_both_urls(store: Store) -> None:
    first = save_page(store, "https://example.com/a", TEXT)
    second = save_page(store, "https://mirror.example.org/b", TEXT)

    assert (first.status, second.status) == (NEW, DUPLICATE)
    assert first.article_id == second.article_id
    assert first.content_hash == second.content_hash == content_hash(TEXT)
    [stored] = list(store.iter_articles())
    assert stored.urls == ("https://example.com/a", "https://mirror.example.org/b")
    assert stored.last_seen >= stored.first_seen


def test_text_differing_only_in_spacing_quotes_and_case_is_one_article(store: Store) -> None:
    plain = 'L\'armée "avance" - vite.\n\nFin.'
    typographic = "L’ARMÉE  “avance” — vite.\n\n\nfin."

    first = save_page(store, "https://example.com/a", plain)
    second = save_page(store, "https://example.com/b", typographic)

    assert second.status == DUPLICATE
    assert second.article_id == first.article_id
    assert store.count_articles() == 1


def test_two_different_texts_are_two_articles(store: Store) -> None:
    first = save_page(store, "https://example.com/a", TEXT)
    second = save_page(store, "https://example.com/b", OTHER_TEXT)

    assert (first.status, second.status) == (NEW, NEW)
    assert first.article_id != second.article_id
    assert store.count_articles() == 2


def test_url_variants_lead_to_the_stored_article(store: Store) -> None:
    result = save_page(
        store,
        "https://www.example.com/2025/06/a/?utm_source=rss",
        TEXT,
        canonical="https://example.com/2025/06/a/?amp=1",
    )

    for variant in (
        "https://example.com/2025/06/a",
        "https://www.example.com/2025/06/a/",
        "https://example.com/2025/06/a?fbclid=xyz#comments",
        "https://example.com/2025/06/a?outputType=amp",
    ):
        assert store.article_for_url(variant) == result.article_id
    assert store.article_for_url("https://example.com/2025/06/b") is None
    assert store.article_for_url("not a url") is None
    # requested, final and canonical URLs share one key here: one row, kind "requested".
    assert rows(store, "SELECT url, kind FROM article_urls") == [
        ("https://example.com/2025/06/a", "requested")
    ]


def test_requested_final_and_canonical_urls_are_linked_with_their_kind(store: Store) -> None:
    article = Article(text=TEXT, canonical_url="https://example.com/story?utm_source=x")
    attempt = fetched("https://t.co/abc", final_url="https://example.com/story?id=7")
    urls = [attempt.requested_url, attempt.final_url, article.canonical_url, "/relative"]

    store.save(attempt, article, urls)
    store.save(fetched("https://example.com/story"), article, ["https://example.com/story"])

    assert sorted(rows(store, "SELECT url, kind FROM article_urls")) == [
        ("https://example.com/story", "canonical"),
        ("https://example.com/story?id=7", "final"),
        ("https://t.co/abc", "requested"),
    ]


def test_a_url_already_linked_to_another_article_keeps_its_first_link(store: Store) -> None:
    first = save_page(store, "https://example.com/live", TEXT)
    # The same URL later serves a different text (a live page was rewritten).
    second = save_page(store, "https://example.com/live", OTHER_TEXT)

    assert second.status == NEW
    assert store.article_for_url("https://example.com/live") == first.article_id
    assert rows(store, "SELECT count(*) FROM article_urls") == [(1,)]


def test_a_batch_written_in_one_transaction_stores_a_repeated_article_once(store: Store) -> None:
    first, again, other = (f"https://example.com/{name}" for name in ("a", "a-copy", "b"))
    batch = [
        prepare_save(fetched(url), Article(text=body, url=url), [url])
        for url, body in ((first, TEXT), (again, TEXT), (other, OTHER_TEXT))
    ]
    results = store.save_prepared_many(batch)
    assert [result.status for result in results] == [NEW, DUPLICATE, NEW]
    assert results[0].article_id == results[1].article_id != results[2].article_id
    assert store.article_for_url(again) == results[0].article_id
    assert rows(store, "SELECT count(*) FROM fetches") == [(3,)]


def test_a_batch_counts_a_shared_paragraph_once_per_article(store: Store) -> None:
    plea = "Abonnez-vous à notre lettre d'information."
    batch = [
        prepare_save(fetched(url), Article(text=f"{body}\n\n{plea}", url=url), [url])
        for url, body in (
            ("https://example.com/a", TEXT),
            ("https://example.com/b", OTHER_TEXT),
            ("https://example.com/c", "Une troisième dépêche, tout autre.\n\nEt sa suite."),
        )
    ]
    assert [result.status for result in store.save_prepared_many(batch)] == [NEW] * 3
    counts = rows(store, "SELECT max(article_count) FROM host_paragraphs")
    assert counts == [(3,)]
    assert rows(store, "SELECT host, article_count FROM host_articles") == [("example.com", 3)]


def test_a_near_copy_later_in_the_same_batch_points_to_the_first(store: Store) -> None:
    original = article_text(7)
    texts = (original, article_text(8), syndicated_copy(original, 9))
    batch = [
        prepare_save(fetched(url), Article(text=body, url=url), [url])
        for url, body in zip(
            ("https://a.example/1", "https://b.example/2", "https://c.example/3"),
            texts,
            strict=True,
        )
    ]
    first, other, copy = store.save_prepared_many(batch)
    assert [first.status, other.status, copy.status] == [NEW, NEW, NEW]
    links = dict(rows(store, "SELECT id, duplicate_of FROM articles"))
    assert links == {
        first.article_id: None,
        other.article_id: None,
        copy.article_id: first.article_id,
    }
    # the copy is no independent evidence for its host's boilerplate
    assert sorted(rows(store, "SELECT host FROM host_articles")) == [("a.example",), ("b.example",)]


def test_failed_attempt_writes_only_the_fetch_row(store: Store) -> None:
    attempt = FetchAttempt(
        requested_url="https://example.com/down",
        fetched_at=datetime.now(UTC),
        error_kind=FetchErrorKind.TIMEOUT,
        error_message="read timeout after 20 s",
    )

    result = store.save(attempt, None, [attempt.requested_url])

    assert (result.status, result.article_id, result.content_hash) == (FAILED, None, None)
    assert store.count_articles() == 0
    assert rows(store, "SELECT count(*) FROM article_urls") == [(0,)]
    assert rows(
        store, "SELECT requested_url, host, outcome, error_kind, error_message FROM fetches"
    ) == [("https://example.com/down", "example.com", FAILED, "timeout", "read timeout after 20 s")]


def test_error_kind_wins_even_when_an_article_is_given(store: Store) -> None:
    attempt = fetched("https://example.com/a", error_kind=FetchErrorKind.HTTP_STATUS)

    result = store.save(attempt, Article(text=TEXT), [attempt.requested_url])

    assert result.status == FAILED
    assert store.count_articles() == 0


@pytest.mark.parametrize("empty_text", ["", "  \n\n  ", "\u200b\u00ad"])
def test_empty_text_is_failed_and_never_hashed(store: Store, empty_text: str) -> None:
    article = Article(text=empty_text, reason=Reason.NO_CONTENT)

    result = store.save(
        fetched("https://example.com/empty"), article, ["https://example.com/empty"]
    )

    assert (result.status, result.content_hash) == (FAILED, None)
    assert store.count_articles() == 0
    assert rows(store, "SELECT outcome, error_kind, error_message, article_id FROM fetches") == [
        (FAILED, FetchErrorKind.EMPTY, Reason.NO_CONTENT, None)
    ]


def test_successful_fetch_row_records_the_attempt(store: Store) -> None:
    result = save_page(store, "https://www.example.com/a", TEXT)

    assert rows(
        store,
        "SELECT requested_url, final_url, host, status, content_type, byte_count, outcome,"
        " error_kind, article_id FROM fetches",
    ) == [
        (
            "https://www.example.com/a",
            "https://www.example.com/a",
            "example.com",
            200,
            "text/html; charset=utf-8",
            1234,
            NEW,
            None,
            result.article_id,
        )
    ]


def test_stored_article_round_trips_every_field(store: Store) -> None:
    article = Article(
        text=TEXT,
        title="Titre",
        authors=("Anne Dupont", "Jean Martin"),
        published="2025-06-27T14:16:00+02:00",
        modified="2025-06-28T09:00:00+02:00",
        language="fr",
        url="https://example.com/a",
        canonical_url="https://example.com/a",
        site_name="Exemple",
        description="Résumé.",
        section="Monde",
        tags=("Ukraine", "OTAN"),
        image="https://example.com/i.jpg",
    )
    store.save(fetched("https://example.com/a"), article, ["https://example.com/a"])

    [stored] = list(store.iter_articles())

    for field in ("text", "title", "authors", "published", "modified", "language", "url"):
        assert getattr(stored, field) == getattr(article, field)
    for field in ("canonical_url", "site_name", "description", "section", "tags", "image"):
        assert getattr(stored, field) == getattr(article, field)
    assert stored.word_count == article.word_count
    assert stored.first_seen.tzinfo is not None
    assert stored.first_seen.utcoffset() == timedelta(0)


def test_iter_articles_pages_through_everything_in_id_order(store: Store) -> None:
    for number in range(7):
        save_page(store, f"https://example.com/{number}", f"{TEXT} Numéro {number}.")

    stored = list(store.iter_articles(batch_size=3))

    assert [article.id for article in stored] == sorted(article.id for article in stored)
    assert [article.urls for article in stored] == [
        (f"https://example.com/{number}",) for number in range(7)
    ]


def test_iter_articles_since_filters_on_first_seen(store: Store) -> None:
    old = save_page(store, "https://example.com/old", TEXT)
    new = save_page(store, "https://example.com/new", OTHER_TEXT)
    with store.write() as conn:
        conn.execute(
            text("UPDATE articles SET first_seen = :when WHERE id = :id"),
            {"when": "2020-01-01 00:00:00.000000", "id": old.article_id},
        )

    since = datetime(2024, 1, 1, tzinfo=UTC)
    assert [article.id for article in store.iter_articles(since=since)] == [new.article_id]
    assert store.count_articles() == 2


def test_sqlite_runs_in_wal_mode_with_busy_timeout_and_foreign_keys(db_path: Path) -> None:
    with open_store(str(db_path)) as store:
        assert rows(store, "PRAGMA journal_mode") == [("wal",)]
        assert rows(store, "PRAGMA busy_timeout") == [(SQLITE_BUSY_TIMEOUT_MS,)]
        assert rows(store, "PRAGMA foreign_keys") == [(1,)]


def test_reopening_keeps_the_data(db_path: Path) -> None:
    with open_store(str(db_path)) as store:
        save_page(store, "https://example.com/a", TEXT)
    with open_store(str(db_path)) as store:
        assert store.count_articles() == 1


# --- where the database is -------------------------------------------------------------


def test_database_url_from_path_env_and_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(DB_ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url(None) == f"sqlite:///{tmp_path / 'scrape.db'}"
    assert database_url("data/x.db") == f"sqlite:///{tmp_path / 'data' / 'x.db'}"
    monkeypatch.setenv(DB_ENV_VAR, str(tmp_path / "env.db"))
    assert database_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert database_url("other.db") == f"sqlite:///{tmp_path / 'other.db'}"
    assert database_url("sqlite:///rel.db") == "sqlite:///rel.db"
    url = "postgresql+psycopg://user@localhost/news"
    assert database_url(url) == url


def test_open_store_accepts_a_sqlalchemy_url(db_path: Path) -> None:
    with open_store(f"sqlite:///{db_path}") as store:
        save_page(store, "https://example.com/a", TEXT)
    with open_store(str(db_path)) as store:
        assert store.count_articles() == 1


def test_unusable_database_raises_storage_error_naming_it(tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir" / "scrape.db"
    with pytest.raises(StorageError, match=re.escape(str(missing_dir))) as unreadable:
        open_store(str(missing_dir))
    assert not isinstance(unreadable.value, MigrationError)  # the schema is not the problem
    with pytest.raises(
        StorageError, match=r"oracle\+nodriver://scott@host/db: (unsupported|cannot open)"
    ):
        open_store("oracle+nodriver://scott@host/db")


def test_write_errors_become_storage_errors(store: Store) -> None:
    with pytest.raises(StorageError, match=re.escape(store.name)), store.write() as conn:
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))


# --- concurrency: real processes on one SQLite file -----------------------------------

WORKERS = 4
ARTICLES_PER_WORKER = 20
STEP = 10  # each worker overlaps half of its articles with the next one


_start_line: threading.Barrier | None = None  # set in each worker process


def _join_start_line(barrier: threading.Barrier) -> None:
    global _start_line
    _start_line = barrier


def _save_overlapping_articles(db: str, worker: int) -> list[str]:
    assert _start_line is not None
    _start_line.wait(timeout=120)  # all open the fresh file at once: the schema races too
    statuses = []
    with open_store(db) as store:
        for number in range(worker * STEP, worker * STEP + ARTICLES_PER_WORKER):
            url = f"https://site{worker}.example/{number}"
            statuses.append(save_page(store, url, f"{TEXT} Article {number}.").status)
    return statuses


@pytest.mark.slow  # four fresh interpreters import the cleaner (trafilatura) first
def test_concurrent_writers_store_each_article_exactly_once(db_path: Path) -> None:
    spawn = multiprocessing.get_context("spawn")
    start_line = spawn.Barrier(WORKERS)
    with ProcessPoolExecutor(
        WORKERS, mp_context=spawn, initializer=_join_start_line, initargs=(start_line,)
    ) as pool:
        results = list(
            pool.map(_save_overlapping_articles, [str(db_path)] * WORKERS, range(WORKERS))
        )

    distinct = (WORKERS - 1) * STEP + ARTICLES_PER_WORKER
    statuses = [status for worker_statuses in results for status in worker_statuses]
    assert statuses.count(NEW) == distinct
    assert statuses.count(DUPLICATE) == WORKERS * ARTICLES_PER_WORKER - distinct
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (distinct,)
        assert conn.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone() == (
            distinct,
        )
        assert conn.execute("SELECT count(*) FROM article_urls").fetchone() == (
            WORKERS * ARTICLES_PER_WORKER,
        )
        assert conn.execute("SELECT count(*) FROM fetches").fetchone() == (
            WORKERS * ARTICLES_PER_WORKER,
        )
    conn.close()
