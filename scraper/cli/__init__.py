"""The ``scrape`` command line (``scrape = "scraper.cli:main"``).

Thin glue over the stages, and the only place that prints and exits.
"""

from scraper.cli.app import EXIT_DATABASE_UNAVAILABLE, EXIT_DRIFT, EXIT_RUN_LOCKED, main

__all__ = ["EXIT_DATABASE_UNAVAILABLE", "EXIT_DRIFT", "EXIT_RUN_LOCKED", "main"]
