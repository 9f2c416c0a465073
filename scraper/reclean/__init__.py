"""Reclean stage: ``scrape reclean``, the current cleaner run again over archived pages.

``read`` selects the archived pages, ``clean`` cleans them again in worker processes,
``write`` stores what changed, ``run`` drives it all, and ``ranges`` shares a run
between machines on PostgreSQL.

Its public names are those of the module it replaced (docs/layout.md).
"""

from scraper.reclean.read import RecleanSelection
from scraper.reclean.run import DEFAULT_RECLEAN_WORKERS, RecleanReport, reclean

__all__ = ["DEFAULT_RECLEAN_WORKERS", "RecleanReport", "RecleanSelection", "reclean"]
