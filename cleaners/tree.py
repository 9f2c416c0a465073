"""Small walks over a lexbor tree that several cleaning stages share."""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode


def has_ancestor_in(node: LexborNode, ids: set[int]) -> bool:
    """Whether an ancestor of ``node`` has its ``mem_id`` in ``ids``."""
    if not ids:
        return False
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def has_ancestor_tag(node: LexborNode, tags: tuple[str, ...]) -> bool:
    """Whether an ancestor of ``node`` is one of ``tags``."""
    parent = node.parent
    while parent is not None:
        if parent.tag in tags:
            return True
        parent = parent.parent
    return False


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
