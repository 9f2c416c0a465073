"""CSS lookups that stay linear on deeply nested pages.

lexbor matches a descendant selector ("article img") right to left: for every
``img`` it walks the ancestors looking for an ``article``. On a hostile page of
10,000 nested blocks that is 10,000 × 10,000 steps, seconds of work. A *path* of
simple selectors — ("article", "img") — takes the first ``article`` and searches
below it instead: each step is one linear scan.
"""

from __future__ import annotations

from collections.abc import Sequence

from selectolax.lexbor import LexborHTMLParser, LexborNode

SelectorPath = tuple[str, ...]


def _scope(tree: LexborHTMLParser, path: SelectorPath) -> LexborHTMLParser | LexborNode | None:
    scope: LexborHTMLParser | LexborNode | None = tree
    for selector in path[:-1]:
        scope = scope.css_first(selector)
        if scope is None:
            return None
    return scope


def first_on_path(tree: LexborHTMLParser, path: SelectorPath) -> LexborNode | None:
    """The first node the last selector finds below the first nodes of the others."""
    scope = _scope(tree, path)
    return scope.css_first(path[-1]) if scope is not None else None


def all_on_path(tree: LexborHTMLParser, path: SelectorPath) -> list[LexborNode]:
    """Every node the last selector finds below the first nodes of the others."""
    scope = _scope(tree, path)
    return scope.css(path[-1]) if scope is not None else []


def first_of_paths(tree: LexborHTMLParser, paths: Sequence[SelectorPath]) -> LexborNode | None:
    """The node found by the first path that finds one."""
    for path in paths:
        node = first_on_path(tree, path)
        if node is not None:
            return node
    return None
