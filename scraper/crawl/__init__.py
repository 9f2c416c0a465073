"""Crawl stage: ``scrape crawl``, from a sources file to stored articles.

``sources`` reads the sources file, ``discover`` feeds, sitemaps and links,
``frontier`` keeps which URL is due in the database, ``politeness`` paces each host,
``coordination`` and ``locks`` let several workers share one database, ``worker``
cleans and stores pages in worker processes, and ``run`` drives it all.

The names below are the stage's public API (``from scraper.crawl import crawl_database``);
the modules of the package import each other directly.
"""

from scraper.crawl.run import (
    CLEANER_ERROR,
    CLEANER_TIMEOUT,
    DEFAULT_CLEAN_WORKERS,
    DEFAULT_DISCOVER_EVERY,
    CrawlReport,
    CrawlSettings,
    crawl_database,
    run_crawl,
)

__all__ = [
    "CLEANER_ERROR",
    "CLEANER_TIMEOUT",
    "DEFAULT_CLEAN_WORKERS",
    "DEFAULT_DISCOVER_EVERY",
    "CrawlReport",
    "CrawlSettings",
    "crawl_database",
    "run_crawl",
]
