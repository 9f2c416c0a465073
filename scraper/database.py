"""The database connection: engine, SQLite settings, transactions, schema migrations.

Every write transaction on SQLite starts with ``BEGIN IMMEDIATE``: it takes the
write lock before reading, so concurrent writers queue on the busy timeout
instead of failing when a read snapshot turns stale. Reads use a plain
(deferred) ``BEGIN`` and never block writers in WAL mode.

The schema is owned by Alembic (``migrations/``, shipped inside the package);
``connect`` upgrades it to head on every open, which is a cheap read when the
database is already current.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, Table, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

import migrations
from scraper.config import DB_ENV_VAR, DEFAULT_DB_PATH, SQLITE_BUSY_TIMEOUT_MS
from scraper.errors import MigrationError, StorageError

SUPPORTED_DIALECTS = frozenset({"sqlite", "postgresql"})
_BEGIN_MODE = "newsclean_sqlite_begin"  # execution option read by the "begin" hook
_MIGRATION_LOCK_KEY = 0x6E657773  # PostgreSQL advisory lock id: one migrator at a time


def database_url(db: str | None) -> str:
    """``db``, else ``$SCRAPE_DB``, else ``./scrape.db``; a plain path becomes a SQLite URL."""
    value = db or os.environ.get(DB_ENV_VAR) or DEFAULT_DB_PATH
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def connect(url: str) -> Engine:
    """An engine for ``url`` whose schema is at head (created or upgraded as needed)."""
    engine = create_database_engine(url)
    try:
        _migrate(engine, command.upgrade, "head")
    except BaseException:
        engine.dispose()
        raise
    return engine


def upgrade_database(url: str, revision: str = "head") -> None:
    """Upgrade the schema of the database at ``url`` to ``revision``."""
    engine = create_database_engine(url)
    try:
        _migrate(engine, command.upgrade, revision)
    finally:
        engine.dispose()


def downgrade_database(url: str, revision: str) -> None:
    """Downgrade the schema of the database at ``url`` to ``revision`` ("base": empty)."""
    engine = create_database_engine(url)
    try:
        _migrate(engine, command.downgrade, revision)
    finally:
        engine.dispose()


def create_database_engine(url: str) -> Engine:
    """An engine with the SQLite pragmas and transaction hooks; the schema is not touched."""
    try:
        engine = create_engine(url)
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"{url}: cannot open database: {exc}") from exc
    if engine.dialect.name not in SUPPORTED_DIALECTS:
        engine.dispose()
        raise StorageError(f"{url}: unsupported database (use SQLite or PostgreSQL)")
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


@contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A connection in a write transaction, committed at exit (SQLite: ``BEGIN IMMEDIATE``)."""
    with engine.connect() as conn:
        conn.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
        with conn.begin():
            yield conn


def dialect_insert(
    bind: Connection | Engine | str, table: Table
) -> sqlite.Insert | postgresql.Insert:
    """The INSERT of ``bind``'s dialect (or the dialect named), with ``on_conflict_do_*``."""
    name = bind if isinstance(bind, str) else bind.dialect.name
    return (postgresql if name == "postgresql" else sqlite).insert(table)


@contextmanager
def storage_errors(engine: Engine) -> Iterator[None]:
    """Turn SQLAlchemy errors into ``StorageError`` naming the database."""
    try:
        yield
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        raise StorageError(f"{display_name(engine)}: {cause}") from exc


def display_name(engine: Engine) -> str:
    """The database URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def _configure_sqlite_connection(dbapi_connection: Any, connection_record: Any) -> None:
    # The sqlite3 driver's own BEGIN handling skips SELECT and DDL; let SQLAlchemy
    # emit BEGIN instead (see _begin_sqlite_transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the
        # last commits, a killed process loses nothing.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _begin_sqlite_transaction(conn: Connection) -> None:
    mode = conn.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def alembic_config() -> Config:
    """Alembic settings built in code: the migrations shipped inside the installed package."""
    config = Config()
    config.set_main_option("script_location", str(Path(migrations.__file__).parent))
    return config


def _migrate(engine: Engine, run: Callable[[Config, str], None], revision: str) -> None:
    """Run an Alembic command on ``engine`` in one write transaction, if there is work."""
    config = alembic_config()
    with storage_errors(engine):  # the file cannot even be read: not a migration problem
        if revision == "head" and _is_at_head(engine, config):
            return
    try:
        with write_connection(engine) as conn:
            if conn.dialect.name == "postgresql":
                lock = text("SELECT pg_advisory_xact_lock(:key)")
                conn.execute(lock, {"key": _MIGRATION_LOCK_KEY})
            config.attributes["connection"] = conn
            run(config, revision)
    except (CommandError, SQLAlchemyError) as exc:
        cause = getattr(exc, "orig", None) or exc
        name = display_name(engine)
        raise MigrationError(f"{name}: cannot migrate to {revision}: {cause}") from exc


def _is_at_head(engine: Engine, config: Config) -> bool:
    """Check the version without the write lock, so opening a current database stays cheap."""
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads()) == heads
