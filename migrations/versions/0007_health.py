"""Crawl health: each fetch's share of learned boilerplate; a full-text index Datasette finds.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

``fetches.boilerplate_share`` is the share of a page's paragraphs the cleaner
dropped as its host's learned boilerplate (``scraper.outputs.health`` watches it). Rows
written before this revision have none.

Datasette finds the full-text index of a table by reading ``sqlite_master`` for
a virtual table declared with ``content="articles"`` or ``content=[articles]``:
the single quotes of migration 0003 hide it. The index is declared again with
double quotes and rebuilt from ``articles``; the triggers of 0003 keep working,
since they name the index, not its declaration.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FTS_TABLE = """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content={content}, content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
"""


def _declare_fts(content: str) -> None:
    op.execute("DROP TABLE articles_fts")
    op.execute(_FTS_TABLE.format(content=content))
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def upgrade() -> None:
    op.add_column("fetches", sa.Column("boilerplate_share", sa.Float(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _declare_fts('"articles"')


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _declare_fts("'articles'")
    op.drop_column("fetches", "boilerplate_share")
