"""The article's title: its headline as the page shows it, checked against the declared one.

The declared title (JSON-LD ``headline``, ``og:title``) is often written for search
engines and social cards ("Best Movers in NYC 2025 | Top 19 Companies | Supermove");
the ``<h1>`` is what readers see. The h1 wins when it is about the same thing, that is
when it shares words with the declared title; a logo or section h1 ("Le Journal",
"Blog") that does not, or that is only the site's name, never replaces it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.metadata.metatext import clean

TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " · ", " :: ", " » ", " : ")
# Share of the shorter title's words the other must contain for the two to be one title.
SAME_TITLE_OVERLAP = 0.2
# and at least this many words: one shared word ("titre", "Discord") is chance
MIN_COMMON_WORDS = 2
# Longer "headlines" are a whole block of text marked up as h1.
MAX_HEADLINE_CHARS = 300
_WORDS = re.compile(r"\w+")


def page_title(
    tree: LexborHTMLParser,
    headline: LexborNode | None,
    declared: str | None,
    site_name: str | None,
) -> str | None:
    """The title of the article, from ``headline`` (the page's h1) and ``declared``."""
    shown = clean(headline.text()) if headline is not None else None
    if shown and len(shown) > MAX_HEADLINE_CHARS:
        shown = None
    if declared is None:
        if shown is None:
            page_title_node = tree.css_first("title")
            shown = clean(page_title_node.text()) if page_title_node is not None else None
        return without_site_name(shown, site_name) if shown and site_name else shown
    if shown and _is_headline_of(shown, declared, site_name):
        return shown
    title = without_site_name(declared, site_name) if site_name else declared
    if title == declared and any(separator in title for separator in TITLE_SEPARATORS):
        return _without_suffix_beyond_headline(title, shown)
    return title


def _is_headline_of(shown: str, declared: str, site_name: str | None) -> bool:
    """Whether the h1 text is the article's headline rather than a logo or a label."""
    shown_words = _words(shown)
    if not shown_words or (site_name and shown_words == _words(site_name)):
        return False
    # "Site | Headline" or "Headline | Site" declared, the h1 being the shorter "Site" part
    lengths = [len(_words(part)) for part in _segments(declared)]
    if any(shown_words == _words(part) for part in _segments(declared)) and len(shown_words) < max(
        lengths
    ):
        return False
    declared_words = set(_words(declared))
    common = len(set(shown_words) & declared_words)
    return common >= MIN_COMMON_WORDS and common >= SAME_TITLE_OVERLAP * min(
        len(set(shown_words)), len(declared_words)
    )


def longest_part(title: str) -> str:
    """The longest part of a title cut at its separators ("Headline | Site" → "Headline")."""
    return max(_segments(title), key=len)


def _segments(title: str) -> list[str]:
    parts = [title]
    for separator in TITLE_SEPARATORS:
        parts = [piece for part in parts for piece in part.split(separator)]
    return parts


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.casefold())


def _without_suffix_beyond_headline(title: str, headline: str | None) -> str:
    """ "Headline | Le Journal" → "Headline" when the page's h1 reads "Headline".

    For pages that do not name their site. The suffix must be shorter than the
    headline, so a logo h1 ("Le Journal") never replaces "Le Journal | Headline".
    """
    if not headline or not title.casefold().startswith(headline.casefold()):
        return title
    rest = title[len(headline) :]
    if any(rest.startswith(separator) for separator in TITLE_SEPARATORS) and len(rest) < len(
        headline
    ):
        return title[: len(headline)]
    return title


def without_site_name(title: str, site_name: str) -> str:
    """ "Headline - Site" → "Headline" (also "Site | Headline"), when Site is the site."""
    folded, site = title.casefold(), site_name.casefold()
    for separator in TITLE_SEPARATORS:
        if folded.endswith(separator + site) and len(folded) > len(separator + site):
            return title[: -len(separator + site)].strip()
        if folded.startswith(site + separator) and len(folded) > len(site + separator):
            return title[len(site + separator) :].strip()
    return title
