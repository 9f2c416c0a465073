"""Where a page's prose is: the evidence pruning rules and the recall guard weigh.

Prose is paragraphs a reader reads: ``<p>`` elements of ``PROSE_MIN_CHARS`` or more whose
text is mostly not links, and other blocks (``<div>``, ``<td>``, ``<span>``…) holding that
much text of their own, outside child elements: pages written in "div paragraphs" or
``<br>``-separated text. A menu is links; a teaser excerpt is cut short with an ellipsis,
or named an excerpt, and counts for nothing.

Lengths are reading lengths (``reading_length``): a Chinese or Japanese paragraph says in
40 characters what an English one says in 120, and must weigh as much.
"""

from __future__ import annotations

import re
from functools import lru_cache

from selectolax.lexbor import LexborNode

from cleaners.markup.rules import tokens_of
from cleaners.markup.tree import link_share

PROSE_MIN_CHARS = 100
TRUNCATION_MARKS = ("...", "…", "[…]", "[...]", "(…)", "(...)")
PROSE_CARRIERS = "p, div, td, li, dd, blockquote, section, article, main, span, font"
# Class names of teaser excerpts: what they say is another article's.
EXCERPT_TOKENS = frozenset({"excerpt", "excerpts"})
# Above this share of its characters in links, a paragraph is a link list, not prose.
MAX_PROSE_LINK_SHARE = 0.5
# Han ideographs and kana: one carries about what three Latin letters do (a Chinese word
# is one or two characters; an English one, with its space, about six). Hangul is
# written with spaces between words and is counted as it is.
_DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
DENSE_CHAR_WEIGHT = 3


class ProseMap:
    """Prose characters under each element of a page, counted once on the intact tree.

    Each prose paragraph adds its length to every ancestor, so asking how much prose a
    block holds costs one lookup, however often the anchor and the pruning rules ask.
    """

    def __init__(self, root: LexborNode):
        self._chars: dict[int, int] = {}
        self._paragraphs: set[int] = set()
        seen: set[str] = set()
        for paragraph in root.css(PROSE_CARRIERS):
            text, length = _prose(paragraph)
            # A text printed twice (mobile and desktop copies, a notice per country) is
            # read once.
            if text in seen or (text and _is_excerpt(paragraph)):
                continue
            seen.add(text)
            if length:
                self._paragraphs.add(paragraph.mem_id)
            node: LexborNode | None = paragraph if length else None
            while node is not None:
                self._chars[node.mem_id] = self._chars.get(node.mem_id, 0) + length
                node = node.parent

    def chars(self, node: LexborNode) -> int:
        return self._chars.get(node.mem_id, 0)

    def is_paragraph(self, node: LexborNode) -> bool:
        """Whether ``node`` is itself one of the prose paragraphs."""
        return node.mem_id in self._paragraphs

    def share(self, node: LexborNode, of: LexborNode) -> float:
        """The share of the prose under ``of`` that ``node`` holds (1.0 when there is none)."""
        total = self.chars(of)
        return self.chars(node) / total if total else 1.0


def _is_excerpt(paragraph: LexborNode) -> bool:
    """An excerpt of another article (a teaser card's summary), named so by the page."""
    return any(
        node is not None and _names_an_excerpt(node.attributes.get("class") or "")
        for node in (paragraph, paragraph.parent)
    )


@lru_cache(maxsize=4096)
def _names_an_excerpt(class_value: str) -> bool:
    return bool(class_value) and not EXCERPT_TOKENS.isdisjoint(tokens_of(class_value))


def _prose(paragraph: LexborNode) -> tuple[str, int]:
    """The text of ``paragraph`` and its reading length if it reads as prose, else ("", 0)."""
    if paragraph.tag != "p":
        # Own text only: the block's child elements are counted for themselves, and
        # links, being elements, are left out.
        text = paragraph.text(deep=False, strip=True)
    else:
        text = paragraph.text(deep=True, strip=True)
    length = reading_length(text)
    # A teaser excerpt is cut short with an ellipsis: it stands for prose elsewhere.
    if length < PROSE_MIN_CHARS or text.endswith(TRUNCATION_MARKS):
        return "", 0
    if paragraph.tag == "p" and link_share(paragraph, text) > MAX_PROSE_LINK_SHARE:
        return "", 0
    return text, length


def reading_length(text: str) -> int:
    """The length of ``text`` in Latin letters' worth: dense scripts weigh more."""
    if text.isascii():
        return len(text)
    return len(text) + (DENSE_CHAR_WEIGHT - 1) * len(_DENSE_SCRIPT.findall(text))
