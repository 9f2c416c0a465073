"""The test cluster itself, and the database URL it hands out, seen through the app."""

from __future__ import annotations

from sqlalchemy import text

from scraper.storage import open_store


def test_a_postgresql_url_opens_a_store_at_head(postgres_url: str) -> None:
    with open_store(postgres_url) as store, store.read() as conn:
        assert conn.dialect.name == "postgresql"
        assert conn.execute(text("SELECT count(*) FROM articles")).scalar_one() == 0
