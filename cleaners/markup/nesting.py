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

from cleaners.markup import html_tokens as kinds
from cleaners.markup.open_stack import FOREIGN, OpenStack, TooDeep

__all__ = ["OpenElements", "TooDeep"]


class OpenElements(OpenStack):
    """The tree builder's stack of open elements, as far as its depth goes: ``read``."""

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
        elif name == "select" and self._in_select():
            self._truncate(self._last("select"))  # ends the open one, and opens nothing
        else:  # a <form> or <select>
            self._implied_ends(name)
            if name == "select":
                self._reopen_formatting()
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
                found = self._last(name + FOREIGN)
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
        open_p = self.where.get("p")
        if not open_p:
            return
        found = open_p[-1]
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

    def _in_select(self) -> bool:
        found = self._last("select")
        return found >= 0 and all(
            name in ("option", "optgroup") for name in self.names[found + 1 :]
        )

    def _in_table_body(self) -> bool:
        context = self._top(self.tablish)
        return context >= 0 and self.names[context] in ("table", "tbody", "thead", "tfoot", "tr")
