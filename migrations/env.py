"""Alembic environment: migrate the connection the application hands in.

``scraper.storage`` opens the database (with its SQLite pragmas and locking)
and passes the connection in ``config.attributes["connection"]``; the
developer command line (``alembic -c migrations/alembic.ini …``) connects from
``sqlalchemy.url`` instead.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from scraper.storage.models import Base, UtcDateTime, is_modelled

target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the models' own column types as plain SQLAlchemy types.

    Revision scripts then never import ``scraper.storage.models``, whose classes keep
    changing after the revision was written.
    """
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things: copy-and-move tables
        render_item=render_item,
        include_name=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        render_item=render_item,
        include_name=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = engine_from_config(
        context.config.get_section(context.config.config_ini_section, {}),
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
