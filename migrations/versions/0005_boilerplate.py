"""Per-host learned boilerplate: paragraph counts per host, and the host's article count.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Articles stored before this revision are not counted: learning starts with the
articles that land after it (``scraper.storage.boilerplate``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "host_articles",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_host_articles")),
    )
    op.create_table(
        "host_paragraphs",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("paragraph_hash", sa.String(length=16), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("host", "paragraph_hash", name=op.f("pk_host_paragraphs")),
    )
    op.create_index(
        "ix_host_paragraphs_host_article_count",
        "host_paragraphs",
        ["host", "article_count"],
    )


def downgrade() -> None:
    op.drop_index("ix_host_paragraphs_host_article_count", table_name="host_paragraphs")
    op.drop_table("host_paragraphs")
    op.drop_table("host_articles")
