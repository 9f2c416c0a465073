"""Run locks: one crawl per SQLite database; one discoverer per source on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from scraper.crawl.locks import lock_key, source_locks
from scraper.errors import RunLockedError
from scraper.storage import open_store


def test_postgresql_runs_split_the_sources_and_take_them_over_when_released(
    postgres_url: str,
) -> None:
    first, second = create_engine(postgres_url), create_engine(postgres_url)
    try:
        with source_locks(first, ["a", "b"]) as mine:
            assert mine == {"a", "b"}
            with source_locks(second, ["b", "c"]) as theirs:
                assert theirs == {"c"}  # shares the run instead of exiting 75
        with source_locks(second, ["a", "b", "c"]) as theirs:
            assert theirs == {"a", "b", "c"}
    finally:
        first.dispose()
        second.dispose()


def test_a_second_run_on_one_sqlite_database_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/scrape.db"
    with open_store(url) as store, source_locks(store.engine, ["a"]) as mine:
        assert mine == {"a"}
        with pytest.raises(RunLockedError), source_locks(store.engine, ["b"]):
            pass


def test_lock_keys_are_stable_signed_64_bit_and_distinct() -> None:
    keys = {lock_key(name) for name in ("a", "b", "exemple", "site-127.0.0.2")}
    assert len(keys) == 4
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert lock_key("exemple") == lock_key("exemple")
