"""How a command fails: exit codes, and errors as one line on stderr.

Exit codes: 0 every target stored or already known, 1 at least one target failed
(or the database could not be used), 2 usage error, 3 ``scrape health``: a host drifted,
69 the database is unreachable (or stayed unavailable past ``--db-outage-limit``), 75
another crawl holds the database.

Only the command line turns errors into exit codes; every command opens its store
through ``storage``, so a database it cannot use is one line, never a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import click

from scraper.errors import DatabaseUnavailableError, ScraperError
from scraper.storage.store import Store, open_store

EXIT_DRIFT = 3  # scrape health: at least one host drifted
EXIT_DATABASE_UNAVAILABLE = 69  # EX_UNAVAILABLE (sysexits.h)
EXIT_RUN_LOCKED = 75  # EX_TEMPFAIL: another crawl holds the SQLite database

log = logging.getLogger(__name__)


class DatabaseUnavailable(click.ClickException):
    """The database cannot be reached, or stayed unavailable too long: one line, exit 69."""

    exit_code = EXIT_DATABASE_UNAVAILABLE


@contextmanager
def scraper_errors() -> Iterator[None]:
    """Turn our own errors (database, configuration) into one-line click errors: exit 1,
    or 69 when the database is unreachable."""
    try:
        yield
    except DatabaseUnavailableError as exc:
        raise DatabaseUnavailable(str(exc)) from exc
    except ScraperError as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Any other error of a command that runs worker processes: one line, exit 1.

    A worker's exception reaches this process with the worker's traceback attached;
    it goes to the log with --debug only, never to the terminal or a cron mail.
    """
    try:
        yield
    except (ScraperError, click.ClickException, click.exceptions.Exit):
        raise  # these have their message and exit code already (scraper_errors for ours)
    except Exception as exc:
        log.debug("unexpected error", exc_info=True)
        message = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise click.ClickException(f"{message} (scrape --debug logs the traceback)") from exc


@contextmanager
def storage(db: str | None) -> Iterator[Store]:
    """The store of ``db`` (as ``--db`` names it), its errors turned into one line."""
    with scraper_errors(), open_store(db) as store:
        yield store
