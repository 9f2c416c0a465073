"""cleaners: HTML or text in, clean article out.

A pure library: it does no I/O and imports nothing from ``scraper``, httpx or
SQLAlchemy, so it can be used alone in a notebook or a batch job.
"""

from cleaners.article import Article, Reason
from cleaners.body.lines import clean_text
from cleaners.explain import Explanation, RemovedBlock, explain
from cleaners.extract import drop_paragraphs, extract, paragraph_hash, split_paragraphs
from cleaners.normalize import content_hash, normalize_for_hash

# Bumped whenever the text ``extract`` gives for a page changes; stored with each
# article, so ``scrape reclean`` can tell which articles an older cleaner made.
__version__ = "0.3.1"

__all__ = [
    "Article",
    "Explanation",
    "Reason",
    "RemovedBlock",
    "clean_text",
    "content_hash",
    "drop_paragraphs",
    "explain",
    "extract",
    "normalize_for_hash",
    "paragraph_hash",
    "split_paragraphs",
]
