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
from trafilatura.settings import DEFAULT_CONFIG, Extractor

_SPACES = re.compile(r"[^\S\n]+")
_AROUND_NEWLINE = re.compile(r" ?\n ?")

# trafilatura settings (bench/README.md). Built once: the options objects are only read.
MAX_TREE_SIZE = 30_000  # elements; trafilatura gives up on bigger trees
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
# For a pruned page that marks no body: the input is already small, so the slow fallback
# extractors buy nothing.
BALANCED = Extractor(**_COMMON)
# The recall guard's second opinion on a whole unpruned page: trafilatura's default, with
# its fallback extractors, which find bodies its main pass misses.
FULL_PAGE = Extractor(**{**_COMMON, "fast": False})


def trafilatura_blocks(html: str, options: Extractor) -> list[str]:
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
