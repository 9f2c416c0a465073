"""The ``scrape`` group: ``--debug``, ``--version``, and every command under it.

``scrape TARGET...`` is short for ``scrape get TARGET...``: a first argument that
is not a command name goes to ``get``. A saved page literally named like a
command (``export``, ``db``, ...) is reached as ``./export``. Each command lives in
its own module of this package; exit codes are in ``scraper.cli.errors``.
"""

from __future__ import annotations

from typing import Any

import click

from scraper import __version__
from scraper.cli.crawl import crawl
from scraper.cli.db import db
from scraper.cli.export import export
from scraper.cli.get import get
from scraper.cli.health import health_command
from scraper.cli.reclean import reclean_command
from scraper.cli.report import report_command
from scraper.cli.search import search_command
from scraper.cli.stats import stats_command
from scraper.cli.warc import warc_command
from scraper.logs import configure_logging


class DefaultCommandGroup(click.Group):
    """A group that hands a first argument which is not a command name to a default command."""

    def __init__(self, *args: Any, default_command: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.default_command = default_command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        group_options = {
            name for param in self.get_params(ctx) for name in (*param.opts, *param.secondary_opts)
        }
        # The group's options are flags (--debug, --version, --help): the command comes after.
        first = next((index for index, arg in enumerate(args) if arg not in group_options), None)
        if first is not None and args[first] not in self.commands:
            args = [*args[:first], self.default_command, *args[first:]]
        return super().parse_args(ctx, args)


@click.group(
    cls=DefaultCommandGroup,
    default_command=get.name,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="scrape")
@click.option(
    "--debug",
    is_flag=True,
    help="Log debug messages, the libraries' warnings, and the full traceback of an error "
    "(on stderr).",
)
def main(debug: bool) -> None:
    """Scrape news articles, strip the boilerplate, store each article once.

    \b
    scrape TARGET...   is short for   scrape get TARGET...
    """
    configure_logging(debug)


main.add_command(get)
main.add_command(export)
main.add_command(db)
main.add_command(crawl)
main.add_command(reclean_command)
main.add_command(warc_command)
main.add_command(search_command)
main.add_command(stats_command)
main.add_command(health_command)
main.add_command(report_command)
