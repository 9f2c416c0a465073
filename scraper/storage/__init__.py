"""Storage stage: the database and everything kept in it.

``models`` and ``database`` (engine, transactions, Alembic migrations) underneath;
``store`` saves each article once with every URL that leads to it and reads them
back; ``neardup`` indexes near-copies, ``boilerplate`` learns each host's recurring
paragraphs, ``archive`` keeps the raw pages, ``outage`` lets a long run wait out an
unavailable database. Nothing here knows HTTP.

Its public names are those of the module it replaced (docs/layout.md).
"""

from scraper.storage.database import database_url, downgrade_database, upgrade_database
from scraper.storage.prepare import PreparedSave, prepare_save
from scraper.storage.store import Store, StoredArticle, open_store
from scraper.storage.write import DUPLICATE, FAILED, NEW

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
