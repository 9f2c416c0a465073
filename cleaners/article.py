"""The value the cleaner returns: one article, plain data."""

from __future__ import annotations

from dataclasses import dataclass


class Reason:
    """Machine-readable reasons why an Article has no text.

    Plain string constants so they survive JSON, SQL and process pools unchanged.
    """

    EMPTY_DOCUMENT = "empty_document"  # no bytes, or only whitespace
    NOT_HTML = "not_html"  # binary or otherwise undecodable input
    UNPARSABLE = "unparsable"  # the parser gave up on the markup
    NO_CONTENT = "no_content"  # a page, but no main text could be found
    NOT_ARTICLE = "not_article"  # a listing / category / home page
    CONSENT_WALL = "consent_wall"  # only a cookie/consent banner, no article
    BLOCKED = "blocked"  # a bot challenge interstitial ("Just a moment…")
    DEADLINE = "deadline"  # the per-document time budget ran out
    TOO_DEEP = "too_deep"  # elements nest too deep to parse safely, even flattened


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article and its metadata.

    ``text`` holds paragraphs separated by one blank line; headings and list items
    each stand on their own line. When ``text`` is empty, ``reason`` says why.
    """

    text: str = ""
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    url: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    reason: str | None = None
    # ``paragraph_hash`` of each paragraph dropped as known per-host boilerplate, in
    # text order: what the store counts toward the host's boilerplate besides ``text``.
    boilerplate: tuple[str, ...] = ()

    @property
    def word_count(self) -> int:
        return len(self.text.split())

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()
