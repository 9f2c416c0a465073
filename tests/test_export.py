"""Export on real SQLite files: JSON Lines round trip and the atomic write to a path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from cleaners import Article
from scraper.errors import StorageError
from scraper.outputs.export import export_to_path
from scraper.records import FetchAttempt
from scraper.storage import Store, open_store

ARTICLE_FIELDS = (
    "text",
    "title",
    "authors",
    "published",
    "modified",
    "language",
    "url",
    "canonical_url",
    "site_name",
    "description",
    "section",
    "tags",
    "image",
)


def save(store: Store, url: str, article: Article) -> int | None:
    attempt = FetchAttempt(url, datetime.now(UTC), final_url=url, status=200)
    return store.save(attempt, article, [url, url, article.canonical_url]).article_id


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "scrape.db")) as opened:
        yield opened


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_round_trip_lists_fields_and_every_url(store: Store, tmp_path: Path) -> None:
    article = Article(
        text="Les garanties de sécurité « solides » sont au cœur des discussions.",
        title="Garanties de sécurité",
        authors=("Anne Dupont",),
        published="2025-06-27T14:16:00+02:00",
        language="fr",
        url="https://example.fr/a",
        canonical_url="https://example.fr/a?utm_source=rss",
        site_name="Exemple",
        tags=("Ukraine", "OTAN"),
    )
    first_id = save(store, "https://example.fr/a", article)
    save(store, "https://www.example.fr/amp/a/?amp=1", article)  # same text: same article
    save(store, "https://example.fr/b", Article(text="Une autre dépêche, un autre sujet."))
    out = tmp_path / "articles.jsonl"

    assert export_to_path(store, out) == 2

    assert "sécurité « solides »" in out.read_text(encoding="utf-8")  # not \u-escaped
    first, second = read_jsonl(out)
    for field in ARTICLE_FIELDS:
        expected = getattr(article, field)
        assert first[field] == (list(expected) if isinstance(expected, tuple) else expected)
    assert first["article_id"] == first_id
    assert first["urls"] == ["https://example.fr/a", "https://example.fr/amp/a"]
    assert len(first["content_hash"]) == 64
    first_seen = datetime.fromisoformat(first["first_seen"])
    assert first_seen.tzinfo is not None
    assert datetime.fromisoformat(first["last_seen"]) >= first_seen
    assert second["urls"] == ["https://example.fr/b"]


def test_since_exports_only_articles_first_seen_from_that_date(
    store: Store, tmp_path: Path
) -> None:
    old = save(store, "https://example.fr/old", Article(text="Un article ancien."))
    save(store, "https://example.fr/new", Article(text="Un article récent."))
    with store.write() as conn:
        conn.execute(
            text("UPDATE articles SET first_seen = '2020-05-01 00:00:00.000000' WHERE id = :id"),
            {"id": old},
        )
    out = tmp_path / "since.jsonl"

    assert export_to_path(store, out, since=datetime(2021, 1, 1, tzinfo=UTC)) == 1
    assert [record["urls"] for record in read_jsonl(out)] == [["https://example.fr/new"]]


def test_export_of_an_empty_database_is_an_empty_file(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "empty.jsonl"
    assert export_to_path(store, out) == 0
    assert out.read_bytes() == b""


def test_export_replaces_an_existing_file_and_leaves_no_temporary(
    store: Store, tmp_path: Path
) -> None:
    save(store, "https://example.fr/a", Article(text="Un article."))
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    assert export_to_path(store, out) == 1
    assert [record["text"] for record in read_jsonl(out)] == ["Un article."]
    assert sorted(path.name for path in tmp_path.iterdir() if "out" in path.name) == ["out.jsonl"]


def test_failed_export_keeps_the_old_file_and_removes_the_temporary(
    store: Store, tmp_path: Path
) -> None:
    save(store, "https://example.fr/a", Article(text="Un article."))
    out_dir = tmp_path / "exports"
    out_dir.mkdir()
    out = out_dir / "articles.jsonl"
    out.write_text("previous export\n", encoding="utf-8")
    with store.write() as conn:
        conn.execute(text("ALTER TABLE articles RENAME TO articles_gone"))

    with pytest.raises(StorageError):
        export_to_path(store, out)

    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [path.name for path in out_dir.iterdir()] == ["articles.jsonl"]


def test_rename_failure_removes_the_written_temporary(store: Store, tmp_path: Path) -> None:
    save(store, "https://example.fr/a", Article(text="Un article."))
    out_dir = tmp_path / "exports"
    taken = out_dir / "articles.jsonl"
    taken.mkdir(parents=True)  # a directory where the file should go: the final rename fails

    with pytest.raises(OSError):
        export_to_path(store, taken)

    assert [path.name for path in out_dir.iterdir()] == ["articles.jsonl"]
    assert taken.is_dir()


def test_unknown_format_is_refused_before_writing(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "out.xml"
    with pytest.raises(ValueError, match="xml"):
        export_to_path(store, out, fmt="xml")
    assert not out.exists()
