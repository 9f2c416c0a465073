"""Options and parameter types that several commands share."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from scraper.config import DB_ENV_VAR, DEFAULT_DB_PATH
from scraper.storage.outage import DEFAULT_OUTAGE_LIMIT
from scraper.workers.watched_pool import DEFAULT_PAGE_TIME_LIMIT

db_option = click.option(
    "--db",
    metavar="URL_OR_PATH",
    help=f"SQLite file or SQLAlchemy URL. Default: ${DB_ENV_VAR}, else ./{DEFAULT_DB_PATH}.",
)
outage_limit_option = click.option(
    "--db-outage-limit",
    "outage_limit",
    type=click.FloatRange(min=0),
    default=DEFAULT_OUTAGE_LIMIT,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for an unavailable database before exiting with code 69.",
)


# A cleaning worker still on one page after this long is killed and replaced; the page fails.
page_time_limit_option = click.option(
    "--page-time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_PAGE_TIME_LIMIT,
    show_default=True,
    metavar="SECONDS",
    help="A cleaning worker still on one page after this long is killed and replaced; "
    "the page fails.",
)


def since_option(help_text: str) -> Any:
    """``--since ISO_DATE``, with what it narrows said in ``help_text``."""
    return click.option("--since", type=IsoDateTime(), help=help_text)


def output_file_option(help_text: str) -> Any:
    """``-o/--output FILE``, required: the file a command writes."""
    return click.option(
        "-o",
        "--output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help=help_text,
    )


class IsoDateTime(click.ParamType):
    """An ISO 8601 date or date-time; one without an offset is taken as UTC."""

    name = "ISO_DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not an ISO 8601 date or date-time", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
