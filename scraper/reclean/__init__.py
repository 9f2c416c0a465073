"""Reclean stage: ``scrape reclean``, the current cleaner run again over archived pages.

``run`` drives the run; ``ranges`` shares it between machines on PostgreSQL.

The names below are the stage's public API (``from scraper.reclean import reclean``);
the modules of the package import each other directly.
"""

from scraper.reclean.run import (
    DEFAULT_RECLEAN_WORKERS,
    RecleanReport,
    RecleanSelection,
    reclean,
)

__all__ = ["DEFAULT_RECLEAN_WORKERS", "RecleanReport", "RecleanSelection", "reclean"]
