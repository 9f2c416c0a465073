"""The ``scrape`` command line (``scrape = "scraper.cli:main"``).

Thin glue over the stages, and the only place that prints and exits.
"""

from scraper.cli.app import main
from scraper.cli.errors import EXIT_DATABASE_UNAVAILABLE, EXIT_DRIFT, EXIT_RUN_LOCKED

__all__ = ["EXIT_DATABASE_UNAVAILABLE", "EXIT_DRIFT", "EXIT_RUN_LOCKED", "main"]
