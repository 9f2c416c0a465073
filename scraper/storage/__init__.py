"""Storage stage: the database and everything kept in it.

``models`` and ``database`` (engine, transactions, Alembic migrations) underneath;
``store`` saves each article once with every URL that leads to it and reads them
back; ``neardup`` indexes near-copies, ``boilerplate`` learns each host's recurring
paragraphs, ``archive`` keeps the raw pages, ``outage`` lets a long run wait out an
unavailable database. Nothing here knows HTTP.

The names below are the stage's public API (``from scraper.storage import open_store``);
the modules of the package import each other directly.
"""

from scraper.storage.store import (
    DUPLICATE,
    FAILED,
    NEW,
    PreparedSave,
    Store,
    StoredArticle,
    database_url,
    downgrade_database,
    open_store,
    prepare_save,
    upgrade_database,
)

__all__ = [
    "DUPLICATE",
    "FAILED",
    "NEW",
    "PreparedSave",
    "Store",
    "StoredArticle",
    "database_url",
    "downgrade_database",
    "open_store",
    "prepare_save",
    "upgrade_database",
]
