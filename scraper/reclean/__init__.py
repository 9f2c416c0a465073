"""Reclean stage: ``scrape reclean``, the current cleaner run again over archived pages.

``read`` selects the archived pages, ``clean`` cleans them again in worker processes,
``write`` stores what changed, ``run`` drives it all, and ``ranges`` shares a run
between machines on PostgreSQL.

The names below are the stage's public API (``from scraper.reclean import reclean``);
the modules of the package import each other directly.
"""

from scraper.reclean.read import RecleanSelection
from scraper.reclean.run import DEFAULT_RECLEAN_WORKERS, RecleanReport, reclean

__all__ = ["DEFAULT_RECLEAN_WORKERS", "RecleanReport", "RecleanSelection", "reclean"]
