"""The recall guard: is a cleaned text too small for the page it came from?

Pruning and anchoring are bets on markup. When a bet loses, the text comes back empty or
cut to an intro, and nothing downstream can tell. The guard weighs the text against
evidence the page gives about its own article, gathered on the intact tree:

- the prose of the page outside navigation, header, footer, asides and consent banners
  (``cleaners.body.prose``);
- the length JSON-LD announces (``articleBody`` or ``wordCount``).

A text holding under ``MIN_PLAUSIBLE_SHARE`` of that evidence is a shortfall: the caller
then extracts the unpruned page another way and keeps the longer result.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from cleaners.body.prose import ProseMap, reading_length
from cleaners.markup.rules import CONSENT_SELECTORS
from cleaners.markup.tree import has_ancestor_in

# Where a page's own prose is not the article's: menus, footers, asides and cookie banners
# always (a sidebar of teasers can outweigh a short article); headers unless they hold
# most of it (some page builders put the whole article in a <header>).
NEVER_ARTICLE = f"nav, footer, aside, {CONSENT_SELECTORS}"
OUTSIDE_ARTICLE = f"header, {NEVER_ARTICLE}"
# Page chrome holding this share of the prose is the article's wrapper, not chrome.
MAX_OUTSIDE_SHARE = 0.5
# A text holding less than this share of the evidence is cut short.
MIN_PLAUSIBLE_SHARE = 0.5
# Below this much prose a page has no article to lose: a gallery, a form, a stub.
MIN_EVIDENCE_CHARS = 400
# JSON-LD counts words; prose is counted in characters (word and space).
CHARS_PER_WORD = 6


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the page says about the size of its article."""

    prose_chars: int
    json_ld_words: int | None = None
    # ``mem_id`` of the blocks whose prose is not the article's (menus, banners).
    outside: frozenset[int] = frozenset()

    @property
    def expected_chars(self) -> int:
        return max(self.prose_chars, (self.json_ld_words or 0) * CHARS_PER_WORD)

    def shortfall(self, text: str) -> str | None:
        """Why ``text`` is implausibly small for this page; None when it is plausible."""
        expected = self.expected_chars
        length = reading_length(text)
        if expected < MIN_EVIDENCE_CHARS or length >= MIN_PLAUSIBLE_SHARE * expected:
            return None
        source = "JSON-LD announces" if expected > self.prose_chars else "the page holds"
        return f"{length:,} characters of text where {source} about {expected:,}"


def gather_evidence(body: LexborNode, prose: ProseMap, json_ld_words: int | None) -> Evidence:
    """The evidence of ``body``, before anything is pruned from it."""
    total = prose.chars(body)
    outside_chars = 0
    outside: set[int] = set()
    seen: set[int] = set()
    for node in body.css(OUTSIDE_ARTICLE):
        chars = prose.chars(node)
        if (
            chars
            and not has_ancestor_in(node, seen)
            and (chars < MAX_OUTSIDE_SHARE * total or node.css_matches(NEVER_ARTICLE))
        ):
            outside_chars += chars
            outside.add(node.mem_id)
        seen.add(node.mem_id)
    return Evidence(total - outside_chars, json_ld_words, frozenset(outside))
