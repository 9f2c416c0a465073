"""Turn extracted content into text blocks: one string per paragraph, heading or list.

A list is one block whose items stand on their own lines ("- item"), so that joining
blocks with a blank line gives the article layout: paragraphs separated by one blank
line, headings and list items each on their own line.
"""

from __future__ import annotations

import re
from copy import deepcopy

import trafilatura
from lxml.etree import _Element
from selectolax.lexbor import LexborNode
from trafilatura.settings import DEFAULT_CONFIG, Extractor

_SPACES = re.compile(r"[^\S\n]+")
_AROUND_NEWLINE = re.compile(r" ?\n ?")

# trafilatura settings chosen on the benchmark (bench/README.md): the pruned input is
# small, so its slow fallback extractors buy nothing; precision mode drops more
# link-heavy leftovers. Built once: the options object is only read.
MAX_TREE_SIZE = 30_000  # elements; bigger pruned pages are rendered without trafilatura
_CONFIG = deepcopy(DEFAULT_CONFIG)
_CONFIG["DEFAULT"]["max_tree_size"] = str(MAX_TREE_SIZE)
_COMMON = {
    "config": _CONFIG,
    "fast": True,
    "comments": False,
    "tables": True,
    "images": False,
    "formatting": False,
    "dedup": False,
    "with_metadata": False,
}
PRECISE = Extractor(precision=True, **_COMMON)
# Precision mode gives up on some layouts (tables, thin markup): the balanced retry.
BALANCED = Extractor(**_COMMON)

# Own renderer (deadline path): elements that are one block each.
_BLOCK_SELECTOR = "p, h1, h2, h3, h4, h5, h6, li, pre, blockquote, td, th, dd, dt"
MAX_RENDERED_BLOCKS = 5000


def trafilatura_blocks(html: str, options: Extractor = PRECISE) -> list[str]:
    """Blocks of the main text trafilatura finds in ``html``."""
    document = trafilatura.bare_extraction(html, options=options)
    if document is None or document.body is None:
        return []
    blocks: list[str] = []
    for element in document.body:
        blocks.extend(_element_blocks(element))
    return [b for b in blocks if b]


def _element_blocks(element: _Element) -> list[str]:
    tag = element.tag
    if tag == "list":
        items = [_tidy(_inline_text(item)) for item in element.iterchildren("item")]
        lines = [f"- {item}" for item in items if item]
        return ["\n".join(lines)] if lines else []
    if tag == "table":
        rows = []
        for row in element.iter("row"):
            cells = [_tidy(_inline_text(cell)) for cell in row.iterchildren("cell")]
            line = " | ".join(c for c in cells if c)
            if line:
                rows.append(line)
        return ["\n".join(rows)] if rows else []
    if tag == "quote" and len(element):
        children = [b for child in element for b in _element_blocks(child)]
        if children:
            return children
    return [_tidy(_inline_text(element))]


def _inline_text(element: _Element) -> str:
    parts = [element.text or ""]
    for child in element:
        parts.append("\n" if child.tag == "lb" else _inline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _tidy(text: str) -> str:
    return _AROUND_NEWLINE.sub("\n", _SPACES.sub(" ", text)).strip()


def blocks_from_tree(scope: LexborNode) -> list[str]:
    """Blocks straight from the pruned tree: no scoring, linear time, for the deadline path."""
    blocks: list[str] = []
    for node in scope.css(_BLOCK_SELECTOR):
        if len(blocks) >= MAX_RENDERED_BLOCKS:
            break
        if len(node.css(_BLOCK_SELECTOR)) > 1:  # the match list includes node itself
            continue  # a container: its inner blocks are rendered instead
        text = _tidy(node.text(deep=True, separator="", strip=False))
        if text:
            blocks.append(f"- {text}" if node.tag == "li" else text)
    return blocks
