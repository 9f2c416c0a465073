"""Database fixtures: one throwaway PostgreSQL cluster per session, and ``db_url`` on both dialects.

Tests that take ``db_url`` run once on a SQLite file and once on an empty
PostgreSQL database. Without the PostgreSQL binaries the PostgreSQL half skips
with one line saying what to install; with ``REQUIRE_POSTGRES=1`` (set by
``.ci/run``) it fails instead, so CI cannot pass without having run it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg import PostgresCluster, unavailable_reason

from scraper.storage import Store, open_store

REQUIRE_ENV_VAR = "REQUIRE_POSTGRES"
DIALECTS = ("sqlite", "postgresql")


def started_cluster() -> Iterator[PostgresCluster]:
    """A new cluster, stopped and removed afterwards; skips (or fails, see above) without one."""
    reason = unavailable_reason()
    if reason is not None:
        if os.environ.get(REQUIRE_ENV_VAR) == "1":
            pytest.fail(f"{REQUIRE_ENV_VAR}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    yield from started_cluster()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """An empty PostgreSQL database for one test, dropped afterwards."""
    url = postgres_cluster.new_database()
    try:
        yield url
    finally:
        postgres_cluster.drop_database(url)


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database for one test: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scrape.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite file path in the test's own directory (files override it when they need more)."""
    return str(tmp_path / "scrape.db")


@pytest.fixture
def store(db: str) -> Iterator[Store]:
    """An open store on ``db``: the schema at head, closed after the test."""
    with open_store(db) as opened:
        yield opened
