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
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import URL, Connection, Engine, Table, create_engine, event, make_url, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)

import migrations
from scraper.config import DB_ENV_VAR, DEFAULT_DB_PATH, SQLITE_BUSY_TIMEOUT_MS
from scraper.errors import (
    DatabaseLockedError,
    DatabaseUnreachableError,
    MigrationError,
    StorageError,
)

SUPPORTED_DIALECTS = frozenset({"sqlite", "postgresql"})
_BEGIN_MODE = "newsclean_sqlite_begin"  # execution option read by the "begin" hook
_MIGRATION_LOCK_KEY = 0x6E657773  # PostgreSQL advisory lock id: one migrator at a time
_SQLITE_BUSY_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
# PostgreSQL error classes of a server that is gone or going: connection exceptions (08…)
# and operator intervention (57P…: shutting down, crashed, starting up).
_SERVER_GONE_SQLSTATES = ("08", "57P")


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
        parsed = make_url(url)
        # A server restart leaves dead connections in the pool: each is tested (one
        # round trip) when taken, and replaced, instead of failing the next transaction.
        engine = create_engine(parsed, pool_pre_ping=parsed.get_backend_name() == "postgresql")
    except (ArgumentError, SQLAlchemyError, ImportError) as exc:
        raise StorageError(f"{url}: cannot open database: {exc}") from exc
    if engine.dialect.name not in SUPPORTED_DIALECTS:
        engine.dispose()
        raise StorageError(f"{url}: unsupported database (use SQLite or PostgreSQL)")
    if engine.dialect.name == "sqlite":
        busy_ms = _sqlite_busy_timeout_ms(parsed)
        event.listen(engine, "connect", partial(_configure_sqlite_connection, busy_ms))
        event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _sqlite_busy_timeout_ms(url: URL) -> int:
    """``?timeout=SECONDS`` in a SQLite URL (the driver's own parameter), else the default."""
    seconds = url.query.get("timeout")
    if isinstance(seconds, str):
        try:
            return round(float(seconds) * 1000)
        except ValueError as exc:
            raise StorageError(f"{url}: timeout={seconds!r} is not a number of seconds") from exc
    return SQLITE_BUSY_TIMEOUT_MS


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
    """Turn SQLAlchemy errors into ``StorageError`` naming the database, in one line.

    A server that cannot be reached and a SQLite file locked past the busy timeout
    get their own subclasses (``DatabaseUnavailableError``): waiting may cure them.
    """
    try:
        yield
    except SQLAlchemyError as exc:
        cause = " ".join(str(getattr(exc, "orig", None) or exc).split())
        error = _error_class(exc)
        label = _UNAVAILABLE_LABELS.get(error, "")
        raise error(f"{label}{display_name(engine)}: {cause}") from exc


def _error_class(exc: SQLAlchemyError) -> type[StorageError]:
    """Which ``StorageError`` a SQLAlchemy error is: unreachable, locked, or another refusal."""
    if not isinstance(exc, DBAPIError):
        return StorageError
    if exc.connection_invalidated:  # SQLAlchemy saw the connection die
        return DatabaseUnreachableError
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return DatabaseLockedError if sqlite_code & 0xFF in _SQLITE_BUSY_CODES else StorageError
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate:
        return (
            DatabaseUnreachableError
            if sqlstate.startswith(_SERVER_GONE_SQLSTATES)
            else StorageError
        )
    # psycopg gives no SQLSTATE when no connection could be made at all (refused, timed out,
    # unknown host) or when it was lost mid-statement.
    driver_error = type(exc.orig).__module__.startswith("psycopg")
    if driver_error and isinstance(exc, OperationalError | InterfaceError):
        return DatabaseUnreachableError
    return StorageError


_UNAVAILABLE_LABELS: dict[type[StorageError], str] = {
    DatabaseUnreachableError: "database unreachable: ",
    DatabaseLockedError: "database locked: ",
}


def display_name(engine: Engine) -> str:
    """The database URL without its password (also one given as ``?password=``), for messages."""
    url = engine.url
    if "password" in url.query:
        url = url.update_query_dict({"password": "***"})
    return url.render_as_string(hide_password=True)


def _configure_sqlite_connection(
    busy_timeout_ms: int, dbapi_connection: Any, connection_record: Any
) -> None:
    # The sqlite3 driver's own BEGIN handling skips SELECT and DDL; let SQLAlchemy
    # emit BEGIN instead (see _begin_sqlite_transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
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
