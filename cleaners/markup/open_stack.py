"""The stack of open elements of an HTML parser, with what its rules ask of it.

``OpenStack`` keeps, for each open element, its name, namespace and element number, and
for the rules of ``cleaners.markup.nesting``: where each name is open, where the elements that
bound a search down the stack are (scopes, special elements, table parts), and which
open elements are on the list of active formatting elements (``cleaners.markup.formatting``).
With ``record``, it notes each element's depth, height and tags for ``cleaners.markup.depth``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cleaners.markup import html_tokens as kinds
from cleaners.markup.formatting import ActiveFormatting, Entry

FOREIGN = "\x00"  # suffix of SVG and MathML names in ``where``: HTML rules never match them


class TooDeep(Exception):
    """The stack passed the depth the reader was asked to stop at."""


@dataclass(slots=True)
class Elements:
    """What ``OpenElements`` records of the elements it opened, for ``cleaners.markup.depth``.

    Indexed by element number, in the order their start tags come: the start tag's span,
    the end tag's span when its own end tag closed it, its depth on the stack, its height
    (how many levels open below it at most) and whether it is a block.
    """

    starts: list[tuple[int, int]] = field(default_factory=list)
    ends: dict[int, tuple[int, int]] = field(default_factory=dict)
    depths: list[int] = field(default_factory=list)
    heights: list[int] = field(default_factory=list)
    blocks: list[bool] = field(default_factory=list)


class OpenStack:
    """The stack of open elements and its indexes; the parsing rules are ``OpenElements``.

    ``stop_at``: raise ``TooDeep`` once the stack (with the formatting elements waiting
    to be reopened) is deeper. ``max_waiting``: formatting elements that may wait to be
    reopened at once (``ActiveFormatting``); past it, ``TooDeep`` without ``record``.
    """

    def __init__(self, *, stop_at: int, max_waiting: int, record: bool = False) -> None:
        self.stop_at = stop_at
        self.max_waiting = max_waiting
        self.elements = Elements() if record else None
        self.deepest = 0
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
        self._index_lists: dict[str, tuple[list[int], ...]] = {}  # by ``where`` key
        self.active = ActiveFormatting(max_waiting)
        self.formatting: dict[int, Entry] = {}  # the list's entries of open elements

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
        where_key = name + FOREIGN if space else name
        self.names.append(name)
        self.spaces.append(space)
        self.serials.append(serial)
        self.peaks.append(index + 1)
        found = self.where.get(where_key)
        if found is None:
            self.where[where_key] = [index]
        else:
            found.append(index)
        indexes = self._index_lists.get(where_key)
        if indexes is None:
            indexes = self._index_lists[where_key] = self._indexes_of(name, space)
        for found in indexes:
            found.append(index)
        if not space and name in kinds.MARKERS:
            self.active.add_marker()
        if key is not None:
            self.formatting[index] = self.active.add(name, key, serial, index)
        depth = index + 1 + self.active.waiting
        if depth > self.deepest:
            self.deepest = depth
            if depth > self.stop_at:
                raise TooDeep

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
        where_key = name + FOREIGN if space else name
        self.where[where_key].pop()
        for indexes in self._index_lists[where_key]:
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
            elif not self.active.popped(entry) and self.elements is None:
                raise TooDeep  # a recording reader goes on; ``never_reopened`` lists it
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
