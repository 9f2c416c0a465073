"""scraper: fetch news pages, clean them with ``cleaners``, store each article once."""

__version__ = "0.1.0"
