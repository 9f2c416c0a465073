"""Exports in every format, read back with pyarrow and the standard library, checked
against the JSON Schema; filters; the atomic rename."""

from __future__ import annotations

import csv
import errno
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import jsonschema
import pyarrow.json as pa_json
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from nlp_corpus import article_text, save_article, syndicated_copy
from sqlalchemy import update

from scraper.cli import main
from scraper.outputs import export
from scraper.outputs.export import (
    ARROW_SCHEMA,
    LIST_FIELDS,
    SCHEMA_VERSION,
    ExportFilter,
    export_articles,
    export_to_path,
)
from scraper.storage import Store, open_store
from scraper.storage.models import ArticleRow

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schema" / "article.schema.json"
OLD = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    # Not in tmp_path: the tests look at every file there.
    return str(tmp_path_factory.mktemp("db") / "scrape.db")


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    """Four articles: French with full metadata, its near-copy on another host, an English
    one with no metadata at all, and a short one first seen in 2024."""
    with open_store(db) as store:
        original = article_text(1)
        save_article(
            store,
            "https://www.exemple.fr/2025/original",
            original,
            title="Le port rouvre",
            authors=("Anne Martin", "Paul Durand"),
            published="2025-06-27T14:16:00+02:00",
            language="fr",
            site_name="Exemple",
            section="Économie",
            tags=("port", "pêche"),
            image="https://www.exemple.fr/img/port.jpg",
        )
        save_article(
            store, "https://autre.example/reprise", syndicated_copy(original, 1), language="fr"
        )
        save_article(store, "https://news.example.com/a", article_text(2), language="en")
        short = save_article(store, "https://www.exemple.fr/brief", "Un texte bref de six mots.")
        with store.write() as conn:
            conn.execute(
                update(ArticleRow).where(ArticleRow.id == short.article_id).values(first_seen=OLD)
            )
        yield store


def validate(records: list[dict[str, Any]], schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    for record in records:
        validator.validate(record)


def jsonl_records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def test_schema_file_matches_the_records_and_the_arrow_schema(schema: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema_version"]["const"] == SCHEMA_VERSION
    assert list(schema["properties"]) == ARROW_SCHEMA.names
    assert schema["required"] == ARROW_SCHEMA.names
    list_properties = {
        name for name, spec in schema["properties"].items() if spec.get("type") == "array"
    }
    assert list_properties == LIST_FIELDS


def test_jsonl_validates_and_loads_with_pyarrow(
    store: Store, tmp_path: Path, schema: dict[str, Any]
) -> None:
    path = tmp_path / "articles.jsonl"
    assert export_to_path(store, path, "jsonl") == 4
    records = jsonl_records(path)
    validate(records, schema)
    assert {record["schema_version"] for record in records} == {SCHEMA_VERSION}
    first = records[0]
    assert first["authors"] == ["Anne Martin", "Paul Durand"]
    assert first["tags"] == ["port", "pêche"]
    assert first["urls"] == ["https://exemple.fr/2025/original"]
    assert first["word_count"] == len(first["text"].split())
    assert records[1]["duplicate_of"] == first["article_id"]
    assert records[2]["authors"] == [] and records[2]["title"] is None

    # Blocks of about one record make pyarrow infer each block alone and then unify
    # them, as `datasets` does on large files: a column must never change type.
    longest = max(len(line) for line in path.read_bytes().splitlines())
    options = pa_json.ReadOptions(block_size=longest + 1)
    table = pa_json.read_json(path, read_options=options)
    assert table.num_rows == 4
    assert str(table.schema.field("authors").type) == "list<item: string>"
    assert str(table.schema.field("duplicate_of").type) == "int64"
    assert table.column("duplicate_of").to_pylist() == [None, first["article_id"], None, None]


def test_jsonl_loads_with_datasets(store: Store, tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets", reason="`datasets` is not installed (optional)")
    path = tmp_path / "articles.jsonl"
    export_to_path(store, path, "jsonl")
    loaded = datasets.load_dataset("json", data_files=str(path), split="train")
    assert loaded.num_rows == 4


def test_parquet_has_the_declared_schema_and_the_same_rows(
    store: Store, tmp_path: Path, schema: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export, "PARQUET_BATCH", 3)  # 4 articles: two row groups
    export_to_path(store, tmp_path / "articles.jsonl", "jsonl")
    assert export_to_path(store, tmp_path / "articles.parquet", "parquet") == 4

    parquet = pq.ParquetFile(tmp_path / "articles.parquet")
    assert parquet.schema_arrow.equals(ARROW_SCHEMA, check_metadata=False)
    assert parquet.schema_arrow.metadata[b"schema_version"] == SCHEMA_VERSION.encode()
    assert parquet.metadata.num_row_groups == 2
    rows = parquet.read().to_pylist()
    validate(rows, schema)
    assert rows == jsonl_records(tmp_path / "articles.jsonl")


def test_csv_reads_back_with_the_standard_library(store: Store, tmp_path: Path) -> None:
    export_to_path(store, tmp_path / "articles.jsonl", "jsonl")
    export_to_path(store, tmp_path / "articles.csv", "csv")
    with (tmp_path / "articles.csv").open(encoding="utf-8", newline="") as cells:
        rows = list(csv.DictReader(cells))
    expected = jsonl_records(tmp_path / "articles.jsonl")
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        assert list(row) == ARROW_SCHEMA.names
        for name, value in record.items():
            if name in LIST_FIELDS:
                assert json.loads(row[name]) == value
            elif value is None:
                assert row[name] == ""
            else:
                assert row[name] == str(value)
    assert "\n\n" in rows[0]["text"]  # paragraphs survive inside a quoted cell


@pytest.mark.parametrize(
    ("filters", "expected_urls"),
    [
        (ExportFilter(language="fr"), ["original", "reprise"]),
        (ExportFilter(language="FR", dedup="near"), ["original"]),
        (ExportFilter(site="exemple.fr"), ["original", "brief"]),
        (ExportFilter(site="news.example.com"), ["a"]),
        (ExportFilter(min_words=100), ["original", "reprise", "a"]),
        (ExportFilter(since=datetime(2025, 1, 1, tzinfo=UTC)), ["original", "reprise", "a"]),
        (ExportFilter(dedup="near"), ["original", "a", "brief"]),
    ],
)
def test_filters(store: Store, filters: ExportFilter, expected_urls: list[str]) -> None:
    out = io.BytesIO()
    count = export_articles(store, out, "jsonl", filters)
    records = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert count == len(records)
    assert [record["url"].rsplit("/", 1)[1] for record in records] == expected_urls


def test_unknown_format_or_dedup_mode_is_refused(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_to_path(store, tmp_path / "x.xml", "xml")
    with pytest.raises(ValueError, match="unknown dedup mode"):
        export_to_path(store, tmp_path / "x.jsonl", "jsonl", filters=ExportFilter(dedup="fuzzy"))
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_leaves_the_previous_file_and_no_temporary(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "articles.jsonl"
    target.write_text("previous export\n", encoding="utf-8")

    def disk_full_after_one_record(records: Iterator[dict[str, Any]], out: BinaryIO) -> int:
        out.write(json.dumps(next(records)).encode() + b"\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setitem(export.WRITERS, "jsonl", disk_full_after_one_record)
    with pytest.raises(OSError, match="No space left"):
        export_to_path(store, target, "jsonl")
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert [path.name for path in tmp_path.iterdir()] == ["articles.jsonl"]


def test_cli_export_formats_and_filters(store: Store, db: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["export", "--db", db, "--format", "csv", "--dedup", "near", "--language", "fr"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["url"] for row in rows] == ["https://www.exemple.fr/2025/original"]

    refused = runner.invoke(main, ["export", "--db", db, "--format", "parquet"])
    assert refused.exit_code == 2
    assert "needs -o" in refused.output

    path = tmp_path / "out.parquet"
    written = runner.invoke(
        main, ["export", "--db", db, "--format", "parquet", "--min-words", "100", "-o", str(path)]
    )
    assert written.exit_code == 0, written.output
    assert pq.read_table(path).num_rows == 3
