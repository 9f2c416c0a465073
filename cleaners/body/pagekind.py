"""Pages that hold no article: bot challenges, consent walls, listings.

Decided from markup signatures on the intact tree, before pruning removes them.
"""

from __future__ import annotations

import enum

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.body.prose import MAX_PROSE_LINK_SHARE, PROSE_CARRIERS, reading_length
from cleaners.markup.rules import CHALLENGE_SELECTORS, CHALLENGE_TITLE, CONSENT_SELECTORS
from cleaners.markup.tree import link_share

# A challenge page is small: a real article that mentions "Access denied" in its title
# still has a body.
CHALLENGE_MAX_BODY_CHARS = 3000
# Listings: many linked headlines, few paragraphs of prose.
LISTING_MIN_HEADLINES = 8
LISTING_MAX_PROSE_CHARS = 1500
# Paragraphs counted as article prose here are longer than the prose map's
# (cleaners.body.prose, 100) and hold no link: a listing's teaser excerpts run to 100-150
# characters, and a page must not stop being a listing because of them.
LISTING_PROSE_MIN_CHARS = 150
# A run of paragraphs in one block: an article's body, however short its paragraphs.
RUN_MIN_PARAGRAPHS = 4
RUN_MIN_CHARS = 400
RUN_PARAGRAPH_MIN_CHARS = 40
# A blog index puts a linked headline over each excerpt; an article has few, if any.
RUN_PARAGRAPHS_PER_HEADLINE = 3
# Substrings of og:type values that say the page is one article.
OG_ARTICLE_TYPES = ("article", "news", "blog", "report", "posting")


class PageKind(enum.Enum):
    PAGE = "page"
    CHALLENGE = "challenge"
    CONSENT = "consent"  # carries a consent manager: a wall if no article text is found


def classify_page(tree: LexborHTMLParser) -> PageKind:
    title = tree.css_first("title")
    title_text = title.text(strip=True) if title is not None else ""
    if CHALLENGE_TITLE.search(title_text) or tree.css_first(CHALLENGE_SELECTORS) is not None:
        body = tree.body
        body_chars = len(body.text(strip=True)) if body is not None else 0
        if body_chars <= CHALLENGE_MAX_BODY_CHARS:
            return PageKind.CHALLENGE
    if tree.css_first(CONSENT_SELECTORS) is not None:
        return PageKind.CONSENT
    return PageKind.PAGE


def looks_like_listing(tree: LexborHTMLParser) -> bool:
    """A home, category or tag page: a grid of linked headlines and no article prose."""
    og_type = tree.css_first('meta[property="og:type"]')
    if og_type is not None:
        value = (og_type.attributes.get("content") or "").lower()
        if any(kind in value for kind in OG_ARTICLE_TYPES):
            return False
    headlines = tree.css("h2 a, h3 a, h4 a")
    if len(headlines) < LISTING_MIN_HEADLINES:
        return False
    prose = sum(map(_listing_prose_length, tree.css(PROSE_CARRIERS)))
    # A short article beside a sidebar of headlines still has more prose than headlines.
    headline_chars = sum(reading_length(a.text(strip=True)) for a in headlines)
    return prose < min(LISTING_MAX_PROSE_CHARS, headline_chars) and not _has_paragraph_run(tree)


def _listing_prose_length(block: LexborNode) -> int:
    """The length of ``block``'s text if it is a link-free paragraph of article length.

    A ``<p>`` counts with its inline text; another block (a ``<div>`` written as a
    paragraph) with the text of its own, outside child elements.
    """
    if block.tag == "p":
        if block.css_first("a") is not None:
            return 0
        text = block.text(strip=True)
    else:
        text = block.text(deep=False, strip=True)
    length = reading_length(text)
    return length if length >= LISTING_PROSE_MIN_CHARS else 0


def _has_paragraph_run(tree: LexborHTMLParser) -> bool:
    """Whether one block holds a run of paragraphs, as an article's body does.

    An article written in short paragraphs (one sentence each, as news agencies write)
    has little prose by the measure above; but its paragraphs stand side by side in one
    block, where a listing's excerpts each sit in a card of their own, or alternate with
    linked headlines.
    """
    runs: dict[int, list[int]] = {}
    indexes: set[int] = set()
    for paragraph in tree.css("p"):
        parent = paragraph.parent
        text = paragraph.text(strip=True)
        length = reading_length(text)
        if (
            parent is None
            or length < RUN_PARAGRAPH_MIN_CHARS
            or link_share(paragraph, text) > MAX_PROSE_LINK_SHARE
        ):
            continue
        run = runs.setdefault(parent.mem_id, [0, 0])
        run[0] += 1
        run[1] += length
        if run[0] < RUN_MIN_PARAGRAPHS or run[1] < RUN_MIN_CHARS or parent.mem_id in indexes:
            continue
        if not _headlines_among(parent, run[0]):
            return True
        indexes.add(parent.mem_id)
    return False


def _headlines_among(block: LexborNode, paragraphs: int) -> bool:
    """Whether linked headlines in ``block`` interleave with its paragraphs (a blog index)."""
    headlines = sum(
        1
        for child in block.iter()
        if child.tag in ("h2", "h3", "h4") and child.css_first("a[href]") is not None
    )
    return headlines * RUN_PARAGRAPHS_PER_HEADLINE > paragraphs
