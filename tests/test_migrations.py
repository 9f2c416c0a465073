"""Alembic migrations on SQLite and PostgreSQL: they build exactly what the models describe."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from scraper.errors import MigrationError
from scraper.storage import database_url, downgrade_database, open_store, upgrade_database
from scraper.storage.database import alembic_config
from scraper.storage.models import Base, is_modelled


def schema_differences(url: str) -> list[object]:
    """What autogenerate would still change to make the database match the models."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": is_modelled}
            )
            return compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "scrape.db"


@pytest.fixture
def revisions() -> list[str]:
    """Every revision id, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


def test_revisions_form_one_line_starting_at_0001(revisions: list[str]) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert revisions[0] == "0001"
    assert len(script.get_heads()) == 1


def test_upgrade_of_an_empty_database_matches_the_models(db_url: str) -> None:
    upgrade_database(db_url)

    assert schema_differences(db_url) == []
    assert set(Base.metadata.tables) <= table_names(db_url)


def test_downgrade_to_base_and_upgrade_again(db_url: str, revisions: list[str]) -> None:
    upgrade_database(db_url)

    downgrade_database(db_url, "base")
    assert table_names(db_url) - {"alembic_version"} == set()
    assert current_revision(db_url) is None

    upgrade_database(db_url)
    assert current_revision(db_url) == revisions[-1]
    assert schema_differences(db_url) == []


def test_each_revision_downgrades_and_upgrades_one_step(db_url: str, revisions: list[str]) -> None:
    for revision in revisions:
        upgrade_database(db_url, revision)
        downgrade_database(db_url, "-1")
        upgrade_database(db_url, revision)
        assert current_revision(db_url) == revision


def test_an_older_database_with_data_is_upgraded_on_open(db: Path, revisions: list[str]) -> None:
    url = database_url(str(db))
    upgrade_database(url, revisions[0])
    with sqlite3.connect(db) as conn:
        conn.execute(
            "INSERT INTO articles (id, content_hash, text, authors, tags, word_count,"
            " first_seen, last_seen) VALUES (1, 'abc', 'Texte ancien.', '[]', '[]', 2,"
            " '2024-01-01 00:00:00.000000', '2024-01-02 00:00:00.000000')"
        )
        conn.execute(
            "INSERT INTO article_urls (url, article_id, kind, first_seen)"
            " VALUES ('https://example.com/old', 1, 'requested', '2024-01-01 00:00:00.000000')"
        )
        conn.execute(
            "INSERT INTO fetches (requested_url, fetched_at, outcome, article_id)"
            " VALUES ('https://example.com/old', '2024-01-01 00:00:00.000000', 'new', 1)"
        )
    conn.close()

    with open_store(str(db)) as store:
        [article] = list(store.iter_articles())
        assert (article.text, article.urls) == ("Texte ancien.", ("https://example.com/old",))
        assert store.article_for_url("https://www.example.com/old/") == 1
    assert current_revision(url) == revisions[-1]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM fetches").fetchone() == (1,)
    conn.close()


def test_opening_a_current_database_does_not_wait_for_the_write_lock(db: Path) -> None:
    open_store(str(db)).close()
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        with open_store(str(db)) as store:
            assert store.count_articles() == 0
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_database_from_a_newer_version_is_refused_with_its_name(db: Path) -> None:
    open_store(str(db)).close()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    conn.close()

    with pytest.raises(MigrationError, match=re.escape(str(db))):
        open_store(str(db))
