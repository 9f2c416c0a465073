"""NLP: near-duplicate links and LSH bands, cleaner version, raw archive, full-text index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

The new ``articles`` columns are added and dropped in place (``ALTER TABLE``),
never by batch mode: a batch copy drops the old table, and with SQLite foreign
keys on (they are) that drop would cascade into ``article_urls``. That is also
why ``duplicate_of`` has no foreign key: SQLite cannot drop such a column in place.

The full-text index is SQLite FTS5, an external-content table over
``articles.title`` and ``articles.text`` kept in sync by triggers. Other
dialects get no index (``scraper.outputs.search`` says so).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# remove_diacritics 2: "securite" finds "sécurité", as French users type it.
SQLITE_FTS = [
    """
    CREATE VIRTUAL TABLE articles_fts USING fts5(
        title, text, content='articles', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
    """
    CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
    END
    """,
    # Only when title or text change: a reclean that touches metadata alone
    # does not re-index the article.
    """
    CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
        INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END
    """,
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]
SQLITE_FTS_DROP = [
    "DROP TRIGGER IF EXISTS articles_fts_update",
    "DROP TRIGGER IF EXISTS articles_fts_delete",
    "DROP TRIGGER IF EXISTS articles_fts_insert",
    "DROP TABLE IF EXISTS articles_fts",
]


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    op.add_column("articles", sa.Column("duplicate_of", sa.Integer(), nullable=True))
    op.add_column("articles", sa.Column("cleaner_version", sa.String(length=32), nullable=True))
    op.add_column("articles", sa.Column("minhash", sa.LargeBinary(), nullable=True))
    op.create_index(op.f("ix_articles_duplicate_of"), "articles", ["duplicate_of"])

    op.create_table(
        "article_bands",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.SmallInteger(), nullable=False),
        sa.Column("hash", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_bands_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", "band", name=op.f("pk_article_bands")),
    )
    op.create_index("ix_article_bands_band_hash", "article_bands", ["band", "hash"])

    op.create_table(
        "raw_pages",
        sa.Column("fetch_id", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("codec", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fetch_id"],
            ["fetches.id"],
            name=op.f("fk_raw_pages_fetch_id_fetches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("fetch_id", name=op.f("pk_raw_pages")),
    )

    if _is_sqlite():
        for statement in SQLITE_FTS:
            op.execute(statement)


def downgrade() -> None:
    if _is_sqlite():
        for statement in SQLITE_FTS_DROP:
            op.execute(statement)
    op.drop_table("raw_pages")
    op.drop_index("ix_article_bands_band_hash", table_name="article_bands")
    op.drop_table("article_bands")
    op.drop_index(op.f("ix_articles_duplicate_of"), table_name="articles")
    op.drop_column("articles", "minhash")
    op.drop_column("articles", "cleaner_version")
    op.drop_column("articles", "duplicate_of")
