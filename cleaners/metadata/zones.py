"""Where on a page its article's byline and dates are, and where they are not.

Bylines and dates sit next to the headline: just under it ("By Jane Doe · 3 Dec 2025")
or just above it (a category and a date). Widgets that list other stories (related
posts, "most read", sidebars, comment threads) show other people's names and other
days, and never count. Both readings are bounded: a few dozen text nodes around the
headline, a walk up the ancestors of a candidate node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice, pairwise

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.markup.rules import (
    COMMENT_TOKENS,
    CONSENT_TOKENS,
    MEDIA_TOKENS,
    RELATED_TOKENS,
    tokens_of,
)
from cleaners.markup.scoped import SelectorPath, first_of_paths
from cleaners.markup.tree import has_ancestor_in
from cleaners.metadata.titles import longest_part

# The article's headline, most specific first (simple selector paths, see cleaners.markup.scoped).
HEADLINE: tuple[SelectorPath, ...] = (
    ("h1[itemprop=headline]",),
    ("h1.entry-title",),
    ("h1.tdb-title-text",),
    ("article", "h1"),
    ("main", "h1"),
    ("h1",),
)
# Where a page without h1 may set its headline, and how many of them are read.
_HEADLINE_STAND_INS = "h2, h3, p"
_MAX_STAND_INS = 300
_WORDS = re.compile(r"\w+")
# Short text nodes read after the headline and before it. Past the second long text
# (a standfirst may come first) the walk is inside the body, where no byline is.
TEXTS_AFTER_HEADLINE = 40
TEXTS_BEFORE_HEADLINE = 8
BODY_TEXT_CHARS = 150
BODY_TEXTS = 2

# Page chrome: a sidebar or aside of the page lists other stories, but one inside the
# <article> holds the article's own byline and dates.
_CHROME_TAGS = frozenset({"aside", "nav"})
_CHROME_TOKENS = frozenset({"sidebar"})
# Class/id tokens of blocks that list other stories or other people's words: related
# posts, comments, captions, consent banners, and lists of stories. Not the ad, newsletter
# and author-bio names the pruner also drops whatever they hold: templates put the
# article's own byline and date in such blocks (a "banner" hero, an author "bio" box, the
# header of a "newsletter" issue) as often as other stories' (wcxb-dev author 0.861 and
# day 0.862 with them, 0.871 and 0.871 without).
_WIDGET_TOKENS = (
    COMMENT_TOKENS
    | CONSENT_TOKENS
    | RELATED_TOKENS
    | MEDIA_TOKENS
    | {
        "popular",
        "trending",
        "mostread",
        "mostpopular",
        "suggested",
        "teaser",
        "teasers",
        "recent",
        "carousel",
    }
)
_WIDGET_PAIRS = frozenset(
    {
        ("more", "stories"),
        ("more", "articles"),
        ("more", "posts"),
        ("more", "from"),
        ("read", "next"),
        ("read", "also"),
        ("read", "more"),
        ("you", "may"),
        ("also", "like"),
        ("most", "read"),
        ("next", "post"),
        ("prev", "post"),
        ("previous", "post"),
    }
)
_SILENT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "button", "select"})


def headline_node(tree: LexborHTMLParser, title: str | None = None) -> LexborNode | None:
    """The element holding the article's headline: its h1, else the first heading or
    paragraph that reads ``title`` (the declared title; page builders such as Framer
    set headlines in styled paragraphs)."""
    headings = tree.css("h1")
    # one h1 is the headline; several need the paths that tell the article's apart
    found = headings[0] if len(headings) == 1 else first_of_paths(tree, HEADLINE)
    if found is not None or not title:
        return found
    # the declared title, or its longest part: "Headline | Site" is shown as "Headline"
    wanted = {
        tuple(_WORDS.findall(title.casefold())),
        tuple(_WORDS.findall(longest_part(title).casefold())),
    }
    for node in islice(tree.css(_HEADLINE_STAND_INS), _MAX_STAND_INS):
        if tuple(_WORDS.findall(node.text().casefold())) in wanted:
            return node
    return None


def in_widget(node: LexborNode, headline: LexborNode | None) -> bool:
    """True when ``node`` sits in a block listing other stories, a sidebar or comments.

    A block holding the headline is the article's, whatever its name says
    ("story-template-sidebar"): the walk up stops there. So does a sidebar or aside
    within that block: on wcxb-dev such columns hold the article's own date and byline
    more often than other stories (4 pages lost when they count as widgets).
    """
    stops = _ancestors(headline)
    chrome = False
    current: LexborNode | None = node
    while current is not None and current.tag not in ("body", "html"):
        if current.mem_id in stops:
            return False
        kind = _is_widget_block(current)
        if kind == "widget":
            return True
        # an aside inside an <article> is the article's own
        chrome = (chrome or kind == "chrome") and current.tag != "article"
        current = current.parent
    return chrome


def without_widgets(tree: LexborHTMLParser) -> str:
    """The page's HTML without its blocks of other stories and comments (for a date search
    that cannot tell where a date stands). A block holding the ``<h1>`` stays."""
    copy = LexborHTMLParser(tree.html or "")
    doomed: list[LexborNode] = []
    gone: set[int] = set()
    for node in copy.css("[class], [id]"):  # document order: blocks before what they hold
        if (
            _is_widget_block(node) == "widget"
            and not has_ancestor_in(node, gone)
            and node.css_first("h1") is None
        ):
            doomed.append(node)
            gone.add(node.mem_id)
    for node in doomed:
        node.decompose()
    return copy.html or ""


def _is_widget_block(node: LexborNode) -> str | None:
    """ "widget" for a block of other stories, "chrome" for a sidebar, else None."""
    attributes = node.attributes
    kinds = {_names_widget(value) for value in (attributes.get("class"), attributes.get("id"))}
    if "widget" in kinds:
        return "widget"
    return "chrome" if "chrome" in kinds or node.tag in _CHROME_TAGS else None


def _ancestors(node: LexborNode | None) -> frozenset[int]:
    found = set()
    while node is not None:
        found.add(node.mem_id)
        node = node.parent
    return frozenset(found)


@lru_cache(maxsize=8192)
def _names_widget(value: str | None) -> str | None:
    if not value:
        return None
    words = tokens_of(value)
    if _WIDGET_TOKENS.intersection(words) or any(pair in _WIDGET_PAIRS for pair in pairwise(words)):
        return "widget"
    return "chrome" if _CHROME_TOKENS.intersection(words) else None


def texts_near(headline: LexborNode) -> Iterator[LexborNode]:
    """The visible text nodes just after the headline, then just before it."""
    yield from _short_texts(_following(headline), TEXTS_AFTER_HEADLINE)
    yield from _short_texts(_preceding(headline), TEXTS_BEFORE_HEADLINE)


def _short_texts(nodes: Iterator[LexborNode], limit: int) -> Iterator[LexborNode]:
    """Up to ``limit`` short non-blank text nodes, stopping inside the body."""
    count = long_texts = 0
    for node in nodes:
        if node.tag != "-text":
            continue
        text = node.text_content or ""
        if not text.strip() or node.parent is None or node.parent.tag in _SILENT_TAGS:
            continue
        if len(text) >= BODY_TEXT_CHARS:
            long_texts += 1
            if long_texts >= BODY_TEXTS:
                return
            continue
        yield node
        count += 1
        if count >= limit:
            return


def _following(node: LexborNode) -> Iterator[LexborNode]:
    """Text nodes after ``node``'s subtree, in document order."""
    for sibling in _siblings_outward(node, forward=True):
        yield from sibling.traverse(include_text=True)


def _preceding(node: LexborNode) -> Iterator[LexborNode]:
    """Text nodes before ``node``, nearest first."""
    for sibling in _siblings_outward(node, forward=False):
        yield from _backwards(sibling)


def _backwards(root: LexborNode) -> Iterator[LexborNode]:
    """``root``'s subtree in reverse document order, walked lazily: the last texts of a
    long menu before the headline are reached without walking the whole menu."""
    # an explicit stack, not recursion: hostile pages nest thousands of levels deep
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    while stack:
        current, children_pushed = stack.pop()
        if children_pushed:
            yield current
            continue
        stack.append((current, True))
        child = current.first_child
        while child is not None:
            stack.append((child, False))
            child = child.next


def _siblings_outward(node: LexborNode, forward: bool) -> Iterator[LexborNode]:
    """The siblings on one side of ``node``, then of its parent, and so on up to <body>."""
    current: LexborNode | None = node
    while current is not None:
        while current is not None and (current.next if forward else current.prev) is None:
            current = current.parent
        if current is None or current.tag in ("body", "html"):
            return
        current = current.next if forward else current.prev
        if current.tag not in _SILENT_TAGS:
            yield current
