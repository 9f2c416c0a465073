"""Small walks over a lexbor tree that several cleaning stages share."""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode


def ancestors(node: LexborNode) -> Iterator[LexborNode]:
    """The ancestors of ``node``, nearest first."""
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def has_ancestor_in(node: LexborNode, ids: set[int]) -> bool:
    """Whether an ancestor of ``node`` has its ``mem_id`` in ``ids``."""
    return bool(ids) and any(parent.mem_id in ids for parent in ancestors(node))


def has_ancestor_tag(node: LexborNode, tags: tuple[str, ...]) -> bool:
    """Whether an ancestor of ``node`` is one of ``tags``."""
    return any(parent.tag in tags for parent in ancestors(node))


def element_children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.child
    while child is not None:
        if child.is_element_node:
            yield child
        child = child.next


def next_element(node: LexborNode) -> LexborNode | None:
    sibling = node.next
    while sibling is not None and not sibling.is_element_node:
        sibling = sibling.next
    return sibling


def link_share(node: LexborNode, text: str) -> float:
    """Share of ``text`` (the node's) inside links, spaces not counted: the gaps between
    the words of a tag cloud are not prose."""
    linked = sum(_visible_chars(a.text(deep=True)) for a in node.css("a"))
    return linked / max(1, _visible_chars(text))


def _visible_chars(text: str) -> int:
    return len(text) - sum(map(text.count, " \n\t\u00a0"))
