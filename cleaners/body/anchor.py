"""Find the element that holds the article body, when the page marks one.

An anchor must be credible: long enough, not visibly shorter than the article text the
page itself announces in JSON-LD (``articleBody`` / ``wordCount``), and not shorter than
the page's own summary (og:description). A truncated or
too-small anchor is refused and the caller falls back to the whole pruned page.
"""

from __future__ import annotations

from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.body.prose import ProseMap, reading_length
from cleaners.markup.rules import ANCHOR_SELECTORS, FIRST_ONLY_SELECTORS, TEMPLATE_ARTICLE_TOKENS
from cleaners.markup.tree import element_children, has_ancestor_in

MIN_ANCHOR_CHARS = 400
# The anchor must hold at least this share of the page's prose paragraphs ...
MIN_PROSE_SHARE = 0.5
# ... and of the words JSON-LD says the article has.
MIN_JSON_LD_COVERAGE = 0.6
# An <article> must hold this share of the text of all <article> elements on the page.
MIN_ARTICLE_SHARE = 0.5
# Without a marked body, the main column is the smallest block holding this share of the
# page's prose.
MAIN_COLUMN_SHARE = 0.8
PARAGRAPH_TAGS = frozenset(
    {"p", "li", "dd", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
)
# Several marked body parts are joined when they hold this share of their common parent.
MIN_PARTS_SHARE = 0.5
# Otherwise the first block holding this share of the largest one's text is the body.
MIN_FIRST_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Anchor:
    """The body element; ``parts`` are its marked pieces when the page splits the body."""

    node: LexborNode
    parts: tuple[LexborNode, ...]


def find_anchor(
    tree: LexborHTMLParser,
    prose: ProseMap,
    expected_words: int | None,
    summary: str | None = None,
) -> Anchor | None:
    """The body element, or None when the page has no credible one.

    ``prose`` says where the page's prose paragraphs are: a body holding a small part of
    them is one section of the article (an FAQ block, an intro box). ``expected_words`` is
    the length JSON-LD announces; ``summary`` the page's own description: a body shorter
    than its summary is a truncated one.
    """
    check = _Credibility(
        tree.body, prose, expected_words, max(MIN_ANCHOR_CHARS, reading_length(summary or ""))
    )
    for selector in ANCHOR_SELECTORS:
        nodes = tree.css(selector)
        if nodes:
            anchor = Anchor(nodes[0], ()) if selector in FIRST_ONLY_SELECTORS else _joined(nodes)
            if check(anchor.node):
                return anchor
    article = _single_article(tree, check)
    return Anchor(article, ()) if article is not None else None


def _joined(nodes: list[LexborNode]) -> Anchor:
    """One body split into several marked parts (around ads or embeds): their common parent.

    Only when the parts make up most of that parent; otherwise the parts are separate
    articles or widgets, and the first sizeable one is the body.
    """
    ids = {n.mem_id for n in nodes}
    parts: list[LexborNode] = []
    seen_texts: set[str] = set()
    for node in nodes:
        text = node.text(deep=True, separator=" ", strip=True)
        # Empty slots and copies (a second rendering of the same body) are not parts.
        if text and text not in seen_texts and not has_ancestor_in(node, ids):
            seen_texts.add(text)
            parts.append(node)
    if len(parts) < 2:
        return Anchor(parts[0] if parts else nodes[0], ())
    lengths = [_text_length(p) for p in parts]
    common = _common_ancestor(parts)
    if (
        common is not None
        and common.tag not in ("body", "html")
        and sum(lengths) >= MIN_PARTS_SHARE * _text_length(common)
    ):
        return Anchor(common, tuple(parts))
    # Separate blocks: the first that is not a small widget (a text box in a sidebar
    # placed before the story) next to the largest.
    largest = max(lengths)
    sizeable = (p for p, n in zip(parts, lengths, strict=True) if n >= MIN_FIRST_SHARE * largest)
    return Anchor(next(sizeable), ())


def _common_ancestor(nodes: list[LexborNode]) -> LexborNode | None:
    chain: list[LexborNode] = []
    parent = nodes[0].parent
    while parent is not None:
        chain.append(parent)
        parent = parent.parent
    depth_of = {node.mem_id: depth for depth, node in enumerate(chain)}
    deepest = 0
    for node in nodes[1:]:
        parent = node.parent
        while parent is not None and parent.mem_id not in depth_of:
            parent = parent.parent
        if parent is None:
            return None
        deepest = max(deepest, depth_of[parent.mem_id])
    return chain[deepest]


def _text_length(node: LexborNode) -> int:
    return len(node.text(deep=True, separator=" ", strip=True))


def _single_article(tree: LexborHTMLParser, credible: _Credibility) -> LexborNode | None:
    articles = [a for a in tree.css("article") if not _is_template(a)]
    if not articles:
        return None
    sizes = [_text_length(a) for a in articles]
    best = max(range(len(articles)), key=sizes.__getitem__)
    if sizes[best] < MIN_ARTICLE_SHARE * sum(sizes):
        return None
    return articles[best] if credible(articles[best]) else None


def _is_template(node: LexborNode) -> bool:
    return bool(TEMPLATE_ARTICLE_TOKENS.intersection((node.attributes.get("class") or "").split()))


@dataclass(frozen=True, slots=True)
class _Credibility:
    body: LexborNode | None
    prose: ProseMap
    expected_words: int | None
    min_chars: int

    def __call__(self, node: LexborNode) -> bool:
        text = node.text(deep=True, separator=" ", strip=True)
        if reading_length(text) < self.min_chars:
            return False
        if self.body is not None and self.prose.share(node, self.body) < MIN_PROSE_SHARE:
            return False
        if self.expected_words:
            return len(text.split()) >= MIN_JSON_LD_COVERAGE * self.expected_words
        return True


def main_column(
    body: LexborNode, prose: ProseMap, outside: frozenset[int] = frozenset()
) -> LexborNode | None:
    """The smallest block that still holds nearly all of the page's prose, or None.

    For pages that mark no body: from ``<body>`` down, step into the child holding
    ``MAIN_COLUMN_SHARE`` of the prose of its siblings, as long as there is one. The
    blocks in ``outside`` (menus, sidebars, banners: ``mem_id`` values) are not candidates
    and their prose is not counted. The column is a block of paragraphs, never a single
    paragraph.
    """
    node = body
    while True:
        candidates = [c for c in element_children(node) if c.mem_id not in outside]
        total = sum(prose.chars(c) for c in candidates)
        inner = max(candidates, key=prose.chars, default=None)
        if (
            inner is None
            or not total
            or prose.chars(inner) < MAIN_COLUMN_SHARE * total
            or inner.tag in PARAGRAPH_TAGS
            or prose.is_paragraph(inner)
        ):
            return node if node is not body else None
        node = inner
