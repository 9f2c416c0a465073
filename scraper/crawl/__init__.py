"""Crawl stage: ``scrape crawl``, from a sources file to stored articles.

``sources`` reads the sources file, ``discover`` feeds, sitemaps and links,
``frontier`` keeps which URL is due in the database, ``politeness`` paces each host,
``coordination`` and ``locks`` let several workers share one database, ``worker``
cleans and stores pages in worker processes; ``run`` schedules the hosts, ``hosts``
works one host, ``pages`` one URL, ``robots`` reads robots.txt, ``writer`` records
the outcomes (``settings``, ``tally``, ``batcher`` and ``database_calls`` serve them).

Its public names are those of the module it replaced (docs/layout.md).
"""

from scraper.crawl.pages import CLEANER_ERROR, CLEANER_TIMEOUT
from scraper.crawl.run import crawl_database, run_crawl
from scraper.crawl.settings import DEFAULT_CLEAN_WORKERS, DEFAULT_DISCOVER_EVERY, CrawlSettings
from scraper.crawl.tally import CrawlReport

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
