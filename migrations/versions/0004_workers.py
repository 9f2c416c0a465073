"""Scaling out: host turns and robots.txt shared by workers, discovery schedule, lease owners.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

``frontier.lease_owner`` is added and dropped in place, like the columns of 0003.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("frontier", sa.Column("lease_owner", sa.String(length=128), nullable=True))
    op.create_table(
        "crawl_hosts",
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("next_allowed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("robots_fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("robots_status", sa.Integer(), nullable=True),
        sa.Column("robots_body", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("host", name=op.f("pk_crawl_hosts")),
    )
    op.create_table(
        "crawl_sources",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("next_discovery_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_discovery_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_crawl_sources")),
    )


def downgrade() -> None:
    op.drop_table("crawl_sources")
    op.drop_table("crawl_hosts")
    op.drop_column("frontier", "lease_owner")
