"""Shared fixtures: a local HTTP server serving the golden pages, and scratch servers.

``tests/`` is on ``sys.path`` while pytest runs (no ``__init__.py``), so helpers
import as ``from local_server import LocalServer, Route``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from local_server import LocalServer

# db_url (SQLite and PostgreSQL) and the throwaway PostgreSQL cluster.
pytest_plugins = ("conftest_db",)

FIXTURE_PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@pytest.fixture(scope="session")
def fixture_pages() -> Path:
    return FIXTURE_PAGES


@pytest.fixture(scope="session")
def page_server(fixture_pages: Path) -> Iterator[LocalServer]:
    """Serves ``fixtures/pages/NAME.html`` at ``/pages/NAME.html`` with its meta.json headers.

    Shared by the whole session: register only unique paths on it, or use ``local_server``.
    """
    with LocalServer() as server:
        server.add_pages(fixture_pages)
        yield server


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """An empty server for one test: add the routes the test needs."""
    with LocalServer() as server:
        yield server
