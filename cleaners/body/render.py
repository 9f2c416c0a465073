"""Render a pruned subtree as text blocks, in one linear walk of the lexbor tree.

The main path of extraction: once the body is found and the noise around and inside it
pruned, what is left is laid out as the article text without handing the subtree to
another parser. Blocks follow ``cleaners.body.blocks``' layout: one string per paragraph or
heading, a list as one block of "- item" lines, a table as one block of "a | b" rows.

Inline links are kept as text; a short block that is nothing but links ("Read more",
"Back to top", a row of tag links) and a list of links are dropped, and so is a heading
left with nothing under it.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborNode

# Elements whose content flows inside the current block.
INLINE_TAGS = frozenset(
    [
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "ins",
        "kbd",
        "mark",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strike",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
        "label",
    ]
)
# Elements with no text for a reader. A figure's caption and credit are not the story,
# but the table or quote a figure wraps is (block editors wrap tables in <figure>).
SKIPPED_TAGS = frozenset(
    [
        "img",
        "picture",
        "source",
        "track",
        "video",
        "audio",
        "canvas",
        "svg",
        "map",
        "area",
        "iframe",
        "object",
        "embed",
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "input",
        "button",
        "select",
        "textarea",
        "figcaption",
    ]
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LISTS = frozenset({"ul", "ol", "dl"})
# A list whose items hold headings or tables is a column of cards (the products of a
# roundup, the steps of a guide): its items are rendered as blocks, not as lines.
CARD_CONTENT = "h1, h2, h3, h4, h5, h6, table"
# A block at most this long, with this share of its characters in links, is navigation;
# so is a list with this share of its items made of links.
MAX_LINK_BLOCK_CHARS = 200
LINK_BLOCK_SHARE = 0.8
# A longer block is a teaser when it is all but entirely a link (a card's excerpt).
LONG_LINK_BLOCK_SHARE = 0.95
# A hostile page cannot make the text longer than this many blocks.
MAX_BLOCKS = 5000

_SPACES = re.compile(r"[^\S\n]+")
_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{2,}")
# Markers on the walk's stack: leave a link, end a block (with its heading level).
_LEAVE_LINK = -1


def render_blocks(scope: LexborNode) -> list[str]:
    """The text blocks of ``scope`` in document order."""
    writer = _Writer()
    writer.render(scope)
    return _without_orphan_headings(writer.blocks, writer.levels)


class _Writer:
    def __init__(self) -> None:
        self.blocks: list[str] = []
        # Each block's heading level (1 for h1 ... 6 for h6), 0 for other blocks.
        self.levels: list[int] = []
        self.parts: list[str] = []
        self.link_chars = 0
        # Text inside a link counts as link text even when the link wraps whole blocks
        # (a teaser card that is one <a> around a heading and an excerpt).
        self.link_depth = 0

    def render(self, scope: LexborNode) -> None:
        # An explicit stack, not recursion: a page may nest elements thousands deep.
        # Entries are nodes to visit, or ints: _LEAVE_LINK, or a block end with its level.
        stack: list[LexborNode | int] = list(reversed(list(_children(scope))))
        while stack and len(self.blocks) < MAX_BLOCKS:
            entry = stack.pop()
            if isinstance(entry, int):
                if entry == _LEAVE_LINK:
                    self.link_depth -= 1
                else:
                    self.flush(entry)
                continue
            if entry.is_text_node:
                self.text(entry.text_content or "")
            elif entry.is_element_node:
                self.enter(entry, stack)
        self.flush()

    def enter(self, node: LexborNode, stack: list[LexborNode | int]) -> None:
        tag = node.tag
        if tag in SKIPPED_TAGS or _is_hidden(node):
            return
        if tag == "br":
            self.parts.append("\n")
            return
        if tag in LISTS and node.css_first(CARD_CONTENT) is None:
            self.flush()
            self.add_list(node)
            return
        if tag == "table":
            self.flush()
            self.add_table(node)
            return
        if tag == "pre":
            self.flush()
            code = (node.text(deep=True) or "").strip("\n")
            if code.strip():
                self.add(code)
            return
        if tag == "a":
            self.link_depth += 1
            stack.append(_LEAVE_LINK)
        elif tag not in INLINE_TAGS:
            self.flush()
            stack.append(int(tag[1]) if tag in HEADINGS else 0)
        stack.extend(reversed(list(_children(node))))

    def text(self, text: str) -> None:
        self.parts.append(text)
        if self.link_depth:
            self.link_chars += len(_visible(text))

    def flush(self, level: int = 0) -> None:
        if not self.parts:
            return
        text = _tidy("".join(self.parts))
        if text and not _is_link_block(text, self.link_chars):
            self.add(text, level)
        self.parts.clear()
        self.link_chars = 0

    def add(self, block: str, level: int = 0) -> None:
        self.blocks.append(block)
        self.levels.append(level)

    def add_list(self, node: LexborNode) -> None:
        lines: list[str] = []
        _list_lines(node, lines)
        # A list of links is a menu or a "more stories" box, not part of the story.
        text = "".join(lines)
        linked = sum(len(_visible(a.text(deep=True))) for a in node.css("a"))
        if lines and linked < LINK_BLOCK_SHARE * len(_visible(text)):
            self.add("\n".join(lines))

    def add_table(self, node: LexborNode) -> None:
        rows = []
        for row in node.css("tr"):
            cells = [
                _tidy(cell.text(deep=True, separator=" ", strip=True)).replace("\n", " ")
                for cell in row.css("td, th")
            ]
            line = " | ".join(c for c in cells if c)
            if line:
                rows.append(line)
        if rows:
            self.add("\n".join(rows))


def _list_lines(node: LexborNode, lines: list[str]) -> None:
    """Append a "- item" line per item of ``node`` and of its sub-lists, in order."""
    for item in _children(node):
        if item.tag not in ("li", "dt", "dd"):
            # Items wrapped in a <div>, or a sub-list written straight inside its parent
            # (``<ul><div><li>``, ``<ul><ul>``), as page builders and pasted documents do.
            if not item.is_text_node and item.tag not in SKIPPED_TAGS:
                _list_lines(item, lines)
            continue
        sublists: list[LexborNode] = []
        text = _tidy(_item_text(item, sublists)).replace("\n", " ")
        if text:
            lines.append(f"- {text}")
        for sublist in sublists:
            _list_lines(sublist, lines)


def _item_text(item: LexborNode, sublists: list[LexborNode]) -> str:
    """The text of a list item on one line; its sub-lists, at any depth, go to ``sublists``.

    A ``<br>`` or a block inside the item ("Bench<br>Price: $299", two ``<p>``) parts
    words the markup shows apart; inline tags do not ("<b>W</b>ord").
    """
    parts: list[str] = []
    stack = list(reversed(_children(item)))
    while stack:
        node = stack.pop()
        if node.is_text_node:
            parts.append(node.text_content or "")
        elif node.tag == "br":
            parts.append(" ")
        elif node.tag in LISTS:
            sublists.append(node)
        elif node.is_element_node and node.tag not in SKIPPED_TAGS and not _is_hidden(node):
            if node.tag != "a" and node.tag not in INLINE_TAGS:
                parts.append(" ")
            stack.extend(reversed(_children(node)))
    return "".join(parts)


def _children(node: LexborNode) -> list[LexborNode]:
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def _without_orphan_headings(blocks: list[str], levels: list[int]) -> list[str]:
    """``blocks`` without the headings that head nothing: their section was dropped."""
    kept = []
    for index, (block, level) in enumerate(zip(blocks, levels, strict=True)):
        following = levels[index + 1] if index + 1 < len(levels) else 1
        if level and following and following <= level:
            continue
        kept.append(block)
    return kept


def _is_hidden(node: LexborNode) -> bool:
    attributes = node.attributes
    if "hidden" in attributes or attributes.get("aria-hidden") == "true":
        return True
    style = attributes.get("style")
    return bool(style) and "display:none" in style.replace(" ", "").lower()


def _is_link_block(text: str, link_chars: int) -> bool:
    if not link_chars:
        return False
    share = LINK_BLOCK_SHARE if len(text) <= MAX_LINK_BLOCK_CHARS else LONG_LINK_BLOCK_SHARE
    return link_chars >= share * len(_visible(text))


def _visible(text: str | None) -> str:
    return "".join((text or "").split())


def _tidy(text: str) -> str:
    text = _AROUND_NEWLINE.sub("\n", _SPACES.sub(" ", text)).strip()
    return _BLANK_LINES.sub("\n", text)
