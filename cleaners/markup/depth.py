"""Bound how deep a page's elements nest, before lexbor parses it: ``bound_depth``.

lexbor's tree builder and the cleaner's own walks (``node.text(deep=True)`` on every
label, a ``css`` query inside every block) take time that grows with the square of the
nesting depth, in C calls no deadline can stop: 200,000 nested ``<div>`` took 92 s,
50,000 nested ``<span>`` 18 s, 20,000 nested tables 129 s. Real pages nest 16 levels
deep at the median and 50 at most (the 181 pages of the Zyte benchmark); browsers stop
at 512: Chromium and WebKit attach deeper elements to the 511th level as siblings.

- A page with at most ``SCAN_ABOVE_TAGS`` ``<`` is parsed as it is: it has no more
  elements than that, so its depth, and the work depth costs, stay small (the worst
  shapes of that size clean in well under a second). Counting costs <1 % of ``extract``.
- A larger page is read by ``cleaners.markup.nesting``, which follows the parser's stack of
  open elements from the tags alone. Up to ``MAX_DEPTH`` levels it is parsed as it is.
- Deeper, it is flattened: the tags of the elements in the middle of its too-deep chains
  are removed. An element stays if it is one of the ``KEEP_OUTER`` outermost levels, or
  if at most ``KEEP_INNER`` levels open below it: the page's frame and the article's own
  markup (paragraphs, lists, links) survive, the wrappers between them go, and a removed
  block leaves a line break so that no two texts run together. An article inside 10,000
  wrapper ``<div>`` still comes out, paragraph by paragraph.
- Formatting elements the parser would reopen after every block (``<font>`` left open
  in paragraph after paragraph) are capped at ``MAX_REOPENED`` at once (real pages leave
  none): past it, a formatting start tag is removed (its text stays, unformatted).
- ``None`` (``Reason.TOO_DEEP``) when flattening would not give the page as written:
  it nests deeper than ``MAX_FLATTENED_DEPTH``, which no page is built as and which
  costs more to read than it is worth; the removed levels themselves hold text (more
  than ``MAX_LOOSE_TEXTS`` bare texts sit right in them: the page is made of its
  nesting, ``<div>x<div>x…``, and its flattened text would be junk); or it is still
  deeper than ``MAX_DEPTH`` once flattened (depth made of reopened formatting elements,
  which no tag removal undoes).
"""

from __future__ import annotations

from cleaners.markup.nesting import OpenElements, TooDeep
from cleaners.markup.open_stack import Elements

MAX_DEPTH = 512
SCAN_ABOVE_TAGS = 4096
KEEP_OUTER = 128
KEEP_INNER = 256
MAX_FLATTENED_DEPTH = 16_384
MAX_REOPENED = 4
MAX_LOOSE_TEXTS = 64
_LINE_BREAK = "<br>"


def bound_depth(html: str) -> str | None:
    """``html`` itself when it nests at most ``MAX_DEPTH`` deep, a flattened copy when it
    nests deeper, None when it cannot be flattened (see the module's docstring)."""
    if html.count("<") <= SCAN_ABOVE_TAGS or _fits(html):
        return html
    reader = OpenElements(stop_at=MAX_FLATTENED_DEPTH, max_waiting=MAX_REOPENED, record=True)
    try:
        reader.read(html)
    except TooDeep:
        return None
    if reader.elements is None:
        raise RuntimeError("a recording reader records")
    flattened = _flatten(html, reader.elements, frozenset(reader.active.never_reopened))
    return flattened if flattened is not None and _fits(flattened) else None


def _fits(html: str) -> bool:
    """Does ``html`` nest at most ``MAX_DEPTH`` deep, without too many reopened elements?"""
    try:
        OpenElements(stop_at=MAX_DEPTH, max_waiting=MAX_REOPENED).read(html)
    except TooDeep:
        return False
    return True


def _flatten(html: str, elements: Elements, never_reopened: frozenset[int]) -> str | None:
    """``html`` without the start and end tags of the middle of its too-deep chains; None
    when more than ``MAX_LOOSE_TEXTS`` bare texts sit right between removed tags."""
    cuts: list[tuple[int, int, bool]] = []
    for serial, (depth, height) in enumerate(zip(elements.depths, elements.heights, strict=True)):
        if (depth > KEEP_OUTER and height >= KEEP_INNER) or serial in never_reopened:
            block = elements.blocks[serial]
            cuts.append((*elements.starts[serial], block))
            end = elements.ends.get(serial)
            if end is not None:
                cuts.append((*end, block))
    cuts.sort()
    pieces: list[str] = []
    position = 0
    loose_texts = 0
    for start, end, block in cuts:
        between = html[position:start]
        pieces.append(between)
        if between and not between.isspace():
            if pieces and position and "<" not in between:
                loose_texts += 1
                if loose_texts > MAX_LOOSE_TEXTS:
                    return None
            if block:
                pieces.append(_LINE_BREAK)
        position = end
    pieces.append(html[position:])
    return "".join(pieces)
