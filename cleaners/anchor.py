"""Find the element that holds the article body, when the page marks one.

An anchor must be credible: long enough, and not visibly shorter than the article text
the page itself announces in JSON-LD (``articleBody`` / ``wordCount``). A truncated or
too-small anchor is refused and the caller falls back to the whole pruned page.
"""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from cleaners.rules import ANCHOR_SELECTORS, TEMPLATE_ARTICLE_TOKENS

MIN_ANCHOR_CHARS = 400
# The anchor must hold at least this share of the words JSON-LD says the article has.
MIN_JSON_LD_COVERAGE = 0.6
# An <article> must hold this share of the text of all <article> elements on the page.
MIN_ARTICLE_SHARE = 0.5


def find_anchor(tree: LexborHTMLParser, expected_words: int | None) -> LexborNode | None:
    """The body element, or None when the page has no credible one."""
    for selector in ANCHOR_SELECTORS:
        nodes = tree.css(selector)
        if nodes:
            candidate = _outermost_first(nodes)
            if _credible(candidate, expected_words):
                return candidate
    return _single_article(tree, expected_words)


def _outermost_first(nodes: list[LexborNode]) -> LexborNode:
    """The first match; when later matches are its siblings (a body split by ads), their parent."""
    first = nodes[0]
    parent = first.parent
    if parent is not None and len(nodes) > 1 and all(
        n.parent is not None and n.parent.mem_id == parent.mem_id for n in nodes[1:]
    ):
        return parent
    return first


def _single_article(tree: LexborHTMLParser, expected_words: int | None) -> LexborNode | None:
    articles = [a for a in tree.css("article") if not _is_template(a)]
    if not articles:
        return None
    sizes = [len(a.text(deep=True, separator=" ", strip=True)) for a in articles]
    best = max(range(len(articles)), key=sizes.__getitem__)
    if sizes[best] < MIN_ARTICLE_SHARE * sum(sizes):
        return None
    return articles[best] if _credible(articles[best], expected_words) else None


def _is_template(node: LexborNode) -> bool:
    return bool(TEMPLATE_ARTICLE_TOKENS.intersection((node.attributes.get("class") or "").split()))


def _credible(node: LexborNode, expected_words: int | None) -> bool:
    text = node.text(deep=True, separator=" ", strip=True)
    if len(text) < MIN_ANCHOR_CHARS:
        return False
    if expected_words:
        return len(text.split()) >= MIN_JSON_LD_COVERAGE * expected_words
    return True

