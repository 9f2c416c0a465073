"""How deep an HTML parser's stack of open elements goes, read from the tags alone.

``OpenElements.read(html)`` walks the tags once, in order, and keeps the stack of open
elements that the HTML tree builder (WHATWG HTML, "tree construction") keeps, as far as
its depth goes: void elements, the end tags a start tag implies (``<p>``, ``<li>``,
``<dd>``, ``<option>``, table cells, rows and sections, with the ``<tbody>``/``<tr>`` the
builder adds), end tags that close nothing or are stopped by a block, foreign content
(``<svg/>`` closes itself there, ``<div>`` breaks out of it), comments, raw text
(``<script>``, ``<style>``, ``<textarea>``…) and the formatting elements (``<b>``,
``<font>``…) that a closed block leaves to be opened again inside the next one.

Where the model is unsure it errs deep, never shallow: an end tag it cannot place closes
nothing, and formatting elements waiting to be reopened count as open. ``<noscript>`` is
read as markup, as lexbor reads it (scripting off).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cleaners import html_tokens as kinds
from cleaners.formatting import ActiveFormatting, Entry

_FOREIGN = "\x00"  # suffix of SVG and MathML names in ``where``: HTML rules never match them


class TooDeep(Exception):
    """The stack passed the depth the reader was asked to stop at."""


@dataclass(slots=True)
class Elements:
    """What ``OpenElements`` records of the elements it opened, for ``cleaners.depth``.

    Indexed by element number, in the order their start tags come: the start tag's span,
    the end tag's span when its own end tag closed it, its depth on the stack, its height
    (how many levels open below it at most) and whether it is a block.
    """

    starts: list[tuple[int, int]] = field(default_factory=list)
    ends: dict[int, tuple[int, int]] = field(default_factory=dict)
    depths: list[int] = field(default_factory=list)
    heights: list[int] = field(default_factory=list)
    blocks: list[bool] = field(default_factory=list)


class OpenElements:
    """The tree builder's stack of open elements, as far as its depth goes.

    ``stop_at``: raise ``TooDeep`` once the stack (with the formatting elements waiting
    to be reopened) is deeper. ``max_waiting``: formatting elements that may wait to be
    reopened at once (``ActiveFormatting``); past it ``overflow`` is set, and without
    ``record`` ``TooDeep`` raised.
    """

    def __init__(self, *, stop_at: int, max_waiting: int, record: bool = False) -> None:
        self.stop_at = stop_at
        self.max_waiting = max_waiting
        self.elements = Elements() if record else None
        self.deepest = 0
        self.overflow = False
        self.names: list[str] = []
        self.spaces: list[int] = []  # 0 HTML, else kinds.SVG or kinds.MATH
        self.serials: list[int] = []  # element number in ``elements``; -1: implied
        self.peaks: list[int] = []  # deepest level reached below each open element
        self.where: dict[str, list[int]] = {}  # stack indexes by name
        # Indexes of the elements that bound a search down the stack.
        self.specials: list[int] = []  # stop "any other end tag"
        self.li_stops: list[int] = []  # stop <li>/<dd>/<dt> closing an open one
        self.bounds: list[int] = []  # the default scope
        self.lists: list[int] = []  # list item scope: also <ol>, <ul>
        self.buttons: list[int] = []  # button scope: also <button>
        self.tables: list[int] = []  # table scope: <table>, <template>
        self.tablish: list[int] = []  # the nearest table part
        self.htmls: list[int] = []  # HTML elements: the end of a run of SVG or MathML
        self._index_lists: dict[tuple[str, int], tuple[list[int], ...]] = {}
        self.active = ActiveFormatting(max_waiting)
        self.formatting: dict[int, Entry] = {}  # the list's entries of open elements

    # -- reading -------------------------------------------------------------------

    def read(self, html: str) -> None:
        """Read every tag of ``html``; ``TooDeep`` as soon as the stack passes ``stop_at``."""
        position: int | None = 0
        while position is not None:
            position = self._read_from(html, position)
        self._truncate(0)

    def _read_from(self, html: str, start: int) -> int | None:
        """Read tags until raw text or CDATA moves the tokenizer; where to go on from."""
        previous = start
        names, spaces, active = self.names, self.spaces, self.active
        for match in kinds.tokens(html, start):
            if match.start() > previous and active.waiting and not (spaces and spaces[-1]):
                self._reopen_formatting()  # text between tags
            previous = match.end()
            cdata, slash, name, attributes, trailing = match.groups()
            if name is None:
                if cdata is not None:
                    end = "]]>" if spaces and spaces[-1] else ">"
                    found = html.find(end, previous)
                    return None if found < 0 else found + len(end)
                continue
            name = name.lower()
            if slash:
                if names and names[-1] == name and name not in kinds.FORMATTING:
                    self._pop(match.span(), own=True)  # the usual case: it closes the last open
                else:
                    self._end_tag(name, match.span())
            elif spaces and spaces[-1] and not self._at_integration_point():
                self._foreign_start(name, attributes, trailing.endswith("/"), match.span())
            elif name in kinds.RAW_TEXT:
                return self._raw_text(html, name, match)
            else:
                self._start_tag(name, attributes, trailing.endswith("/"), match.span())
        return None

    def _foreign_start(
        self, name: str, attributes: str, closed: bool, span: tuple[int, int]
    ) -> None:
        if kinds.breaks_out(name, attributes):
            self._leave_foreign()
            self._start_tag(name, attributes, closed, span)
        else:
            self._foreign(name, self.spaces[-1], closed, span)

    def _start_tag(self, name: str, attributes: str, closed: bool, span: tuple[int, int]) -> None:
        if name not in kinds.UNUSUAL_START:  # <div>, <span>, <li>, <p>…
            if name in kinds.IMPLIES_ENDS:
                self._implied_ends(name)
            if self.active.waiting and name not in kinds.KEEPS_FORMATTING:
                self._reopen_formatting()
            self._push(name, 0, span)
        elif name in kinds.VOID:
            if name == "hr":
                self._close_p()
            elif name == "col":
                self._column()
            elif name not in kinds.KEEPS_FORMATTING:
                self._reopen_formatting()
            self._touch(len(self.names) + 1)
        elif name in kinds.IGNORED:
            pass
        elif name in kinds.TABLE_PARTS:
            self._table_part(name, span)
        elif name in kinds.FORMATTING:
            self._reopen_formatting()
            if name in ("a", "nobr"):  # a new <a> first ends the one open or waiting
                self._formatting_end(name, None)
                self._reopen_formatting()
            self._push(name, 0, span, key=f"{name} {attributes}")
        elif name in ("svg", "math"):
            self._reopen_formatting()
            self._foreign(name, kinds.SVG if name == "svg" else kinds.MATH, closed, span)
        elif name == "form" and self._in_table_body():
            self._touch(len(self.names) + 1)  # a form right in a table is closed at once
        else:  # a form
            self._implied_ends(name)
            self._push(name, 0, span)

    def _implied_ends(self, name: str) -> None:
        """Close what a start tag ``name`` implies: an open <p>, <li>, <option>…"""
        if name in ("li", "dd", "dt"):
            targets = ("li",) if name == "li" else ("dd", "dt")
            found = max(self._last(target) for target in targets)
            if found >= 0 and found >= self._top(self.li_stops):
                self._truncate(found)
        elif name == "option" and self.names and self.names[-1] == "option":
            self._truncate(len(self.names) - 1)
        elif name == "button":
            found = self._last("button")
            if found > self._top(self.bounds):
                self._truncate(found)
        if name in kinds.CLOSES_P or name in ("li", "dd", "dt"):
            self._close_p()
        if name in kinds.HEADINGS and self.names and self.names[-1] in kinds.HEADINGS:
            self._truncate(len(self.names) - 1)

    def _end_tag(self, name: str, span: tuple[int, int]) -> None:
        if self._in_foreign():
            if name in ("p", "br"):
                self._leave_foreign()
            else:  # SVG and MathML end tags close the nearest element of their name
                found = self._last(name + _FOREIGN)
                if found > self._top(self.htmls):
                    self._truncate(found, span)
                    return
        if name in kinds.IGNORED or name == "br":
            return
        if name == "p":
            found = self._last("p")
            if found > max(self._top(self.bounds), self._top(self.buttons)):
                self._truncate(found, span)
            else:  # the builder opens and closes an empty <p>
                self._touch(len(self.names) + 1)
        elif name == "li":
            found = self._last("li")
            if found > max(self._top(self.bounds), self._top(self.lists)):
                self._truncate(found, span)
        elif name in kinds.HEADINGS:
            found = max(self._last(heading) for heading in kinds.HEADINGS)
            if found > self._top(self.bounds):
                self._truncate(found, span if self.names[found] == name else None)
        elif name in kinds.CLOSED_IN_SCOPE:
            found = self._last(name)
            if found > self._top(self.bounds):
                self._truncate(found, span)
        elif name in kinds.TABLE_PARTS:
            found = self._last(name)
            table_scope = self._top(self.tables)
            if found >= 0 and (found == table_scope if name == "table" else found > table_scope):
                cell = self._top(self.tablish)
                if cell > found and self.names[cell] in kinds.CELLS:
                    self._truncate(cell, own=True)  # the builder closes the cell first
                self._truncate(found, span)
        elif name == "template":
            found = self._last(name)
            if found >= 0:
                self._truncate(found, span)
        elif name == "form":
            # The form leaves the middle of the stack, which this model does not do (it
            # errs deep); what it implies closed goes.
            if self._last("form") > self._top(self.bounds):
                while self.names[-1] in kinds.IMPLIED_END:
                    self._truncate(len(self.names) - 1)
        elif name in kinds.FORMATTING:
            self._formatting_end(name, span)
        else:
            found = self._last(name)
            if found >= 0 and found >= self._top(self.specials):
                self._truncate(found, span)

    # -- kinds of elements -----------------------------------------------------------

    def _raw_text(self, html: str, name: str, match: re.Match[str]) -> int | None:
        if name in ("xmp", "plaintext"):
            self._close_p()
        if name == "xmp":
            self._reopen_formatting()
        self._push(name, 0, match.span())
        if name == "plaintext":
            return None  # the rest of the document is text
        # Read on from its end tag, which closes it like any other.
        return kinds.raw_text_end(html, name, match.end())

    def _foreign(self, name: str, space: int, closed: bool, span: tuple[int, int]) -> None:
        if closed:  # <path/>: in SVG and MathML the slash closes the element
            self._touch(len(self.names) + 1)
        else:
            self._push(name, space, span)

    def _formatting_end(self, name: str, span: tuple[int, int] | None) -> None:
        """The adoption agency: ``</b>``, or a new ``<a>`` or ``<nobr>`` (``span`` None)."""
        entry = self.active.last(name)
        if entry is None:  # not on the list: an end tag like any other
            found = self._last(name)
            if span is not None and found >= 0 and found >= self._top(self.specials):
                self._truncate(found, span)
        elif entry.index < 0:
            self.active.remove(entry)
        elif entry.index > self._top(self.bounds) and entry.index >= self._top(self.specials):
            self._truncate(entry.index, span, own=True)
        # Otherwise a block stands above it: the builder moves that block out and opens a
        # copy of the element inside it, or the element is out of scope. Depth stays.

    def _reopen_formatting(self) -> None:
        """The builder opens again the formatting elements another tag closed."""
        for entry in self.active.to_reopen():
            self._push(entry.name, 0, None)
            self.formatting[len(self.names) - 1] = entry
            self.active.reopened(entry, len(self.names) - 1)

    def _table_part(self, name: str, span: tuple[int, int]) -> None:
        context = self._top(self.tablish)
        if context < 0:
            if name == "table":
                self._push(name, 0, span)
            return  # a row or cell outside any table: the builder ignores it
        part = self.names[context]
        if part in kinds.CELLS:
            if name == "table":
                self._push(name, 0, span)
            else:  # a table tag in a cell or caption ends it first
                self._truncate(context, own=True)
                self._table_part(name, span)
            return
        table = self._last("table")
        if part == "template" or table < 0:
            self._push(name, 0, span)
        elif name == "table":  # a table directly in a table ends the first one
            self._truncate(table)
            self._push(name, 0, span)
        elif name in ("caption", "colgroup") or name in kinds.SECTIONS:
            self._truncate(table + 1)
            self._push(name, 0, span)
        else:
            self._row_or_cell(name, part, context, span)

    def _row_or_cell(self, name: str, part: str, context: int, span: tuple[int, int]) -> None:
        if part == "tr" and name == "tr":
            self._truncate(context)
            part = "tbody"
        else:
            self._truncate(context + 1)
        if part == "table":
            self._push("tbody", 0, None)
            part = "tbody"
        if name != "tr" and part in kinds.SECTIONS:
            self._push("tr", 0, None)
        self._push(name, 0, span)

    def _column(self) -> None:
        """A <col> right in a table goes into a <colgroup> the builder adds."""
        context = self._top(self.tablish)
        if context >= 0 and self.names[context] == "table" and self.names[-1] != "colgroup":
            self._truncate(context + 1)
            self._push("colgroup", 0, None)

    def _close_p(self) -> None:
        found = self._last("p")
        if found > max(self._top(self.bounds), self._top(self.buttons)):
            self._truncate(found)

    def _leave_foreign(self) -> None:
        """Pop the SVG or MathML elements down to an HTML element or integration point."""
        while self._in_foreign() and not self._at_integration_point():
            self._truncate(len(self.names) - 1)

    def _in_foreign(self) -> bool:
        return bool(self.spaces) and self.spaces[-1] != 0

    def _at_integration_point(self) -> bool:
        return self.names[-1] in kinds.INTEGRATION_POINTS[self.spaces[-1]]

    def _in_table_body(self) -> bool:
        context = self._top(self.tablish)
        return context >= 0 and self.names[context] in ("table", "tbody", "thead", "tfoot", "tr")

    # -- the stack -------------------------------------------------------------------

    def _push(
        self, name: str, space: int, span: tuple[int, int] | None, key: str | None = None
    ) -> None:
        index = len(self.names)
        serial = -1
        if self.elements is not None and span is not None:
            serial = len(self.elements.starts)
            self.elements.starts.append(span)
            self.elements.depths.append(index + 1)
            self.elements.heights.append(0)
            self.elements.blocks.append(name in kinds.SPECIAL)
        self.names.append(name)
        self.spaces.append(space)
        self.serials.append(serial)
        self.peaks.append(index + 1)
        self.where.setdefault(name + _FOREIGN if space else name, []).append(index)
        indexes = self._index_lists.get((name, space))
        if indexes is None:
            indexes = self._index_lists[name, space] = self._indexes_of(name, space)
        for found in indexes:
            found.append(index)
        if not space and name in kinds.MARKERS:
            self.active.add_marker()
        if key is not None:
            self.formatting[index] = self.active.add(name, key, serial, index)
        self._touch(index + 1)

    def _truncate(self, size: int, end: tuple[int, int] | None = None, own: bool = False) -> None:
        """Pop the stack down to ``size`` elements. ``own``: the lowest one popped is closed
        as itself (by its end tag at ``end``, if any), not by another tag."""
        while len(self.names) > size + 1:
            self._pop(None, own=False)
        if len(self.names) > size:
            self._pop(end, own=own or end is not None)

    def _pop(self, end: tuple[int, int] | None, *, own: bool) -> None:
        """Pop the current element: ``own``, closed as itself (end tag at ``end``)."""
        index = len(self.names) - 1
        name, space, serial = self.names.pop(), self.spaces.pop(), self.serials.pop()
        peak = self.peaks.pop()
        self.where[name + _FOREIGN if space else name].pop()
        for indexes in self._index_lists[name, space]:
            indexes.pop()
        if index:
            self.peaks[-1] = max(self.peaks[-1], peak)
        if not space and own and name in kinds.MARKERS:
            # Closing a cell, a caption or an object as such forgets the formatting
            # opened inside; popped by anything else, it leaves them waiting.
            self.active.clear_to_marker()
        entry = self.formatting.pop(index, None)
        if entry is not None:
            if own:
                self.active.remove(entry)
            elif not self.active.popped(entry):
                self.overflow = True
                if self.elements is None:
                    raise TooDeep
        if self.elements is not None and serial >= 0:
            self.elements.heights[serial] = peak - index - 1
            if end is not None:
                self.elements.ends[serial] = end

    def _touch(self, depth: int) -> None:
        """An element is open ``depth`` levels down (with those waiting to be reopened)."""
        depth += self.active.waiting
        if depth > self.deepest:
            self.deepest = depth
            if depth > self.stop_at:
                raise TooDeep

    def _last(self, name: str) -> int:
        found = self.where.get(name)
        return found[-1] if found else -1

    @staticmethod
    def _top(indexes: list[int]) -> int:
        return indexes[-1] if indexes else -1

    def _indexes_of(self, name: str, space: int) -> tuple[list[int], ...]:
        if space:
            points = kinds.INTEGRATION_POINTS[space]
            return (self.specials, self.li_stops, self.bounds) if name in points else ()
        found = [self.htmls]
        if name in kinds.SPECIAL:
            found.append(self.specials)
            if name not in ("address", "div", "p"):
                found.append(self.li_stops)
        for names, indexes in (
            (kinds.BOUNDS, self.bounds),
            (("ol", "ul"), self.lists),
            (("button",), self.buttons),
            (("table", "template"), self.tables),
            (kinds.TABLISH, self.tablish),
        ):
            if name in names:
                found.append(indexes)
        return tuple(found)
