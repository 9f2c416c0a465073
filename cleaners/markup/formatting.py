"""The HTML tree builder's list of active formatting elements, as ``markup.nesting`` needs it.

A formatting element (``<b>``, ``<font>``, ``<a>``…) closed by another tag (``</p>``, a
new block) stays on the list; the builder opens a copy of it again at the next text or
inline tag, inside whatever is open then. Copies pile up on the stack of open elements,
so this list decides depth as much as the tags do. A marker (table cell, caption,
``<object>``…) starts a new segment: closing it forgets the formatting opened after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_NOAHS_ARK = 3  # identical entries (name and attributes) a segment keeps, at most


@dataclass(slots=True)
class _Segment:
    """The entries after one marker, in order, indexed by name and by key.

    A removed entry is marked dead and left in place; once the dead are the most, they
    are dropped (in place), so that walks over the lists stay linear.
    """

    entries: list[Entry] = field(default_factory=list)
    by_name: dict[str, list[Entry]] = field(default_factory=dict)
    by_key: dict[str, list[Entry]] = field(default_factory=dict)
    alive: int = 0

    def add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.by_name.setdefault(entry.name, []).append(entry)
        self.by_key.setdefault(entry.key, []).append(entry)
        self.alive += 1

    def identical(self, key: str) -> list[Entry]:
        return [entry for entry in self.by_key.get(key, ()) if entry.alive]

    def died(self, entry: Entry) -> None:
        self.alive -= 1
        if len(self.entries) > 2 * self.alive + 8:
            dead = [e for e in self.entries if not e.alive]
            self.entries[:] = [e for e in self.entries if e.alive]
            for index, key in ((self.by_name, "name"), (self.by_key, "key")):
                for value in {getattr(e, key) for e in dead}:
                    kept = [e for e in index.get(value, ()) if e.alive]
                    if kept:
                        index[value][:] = kept
                    else:
                        index.pop(value, None)


@dataclass(slots=True, eq=False)
class Entry:
    """One formatting element on the list."""

    name: str
    key: str  # name and attributes: what makes two entries identical
    serial: int  # the element's number where ``cleaners.markup.nesting`` records elements; -1: none
    index: int  # its place on the stack of open elements; -1 while waiting to be reopened
    segment: _Segment
    alive: bool = True


class ActiveFormatting:
    """The list of active formatting elements; ``waiting`` counts those not on the stack.

    At most ``max_waiting`` entries wait to be reopened at once: each is opened again at
    every text that follows, so more would multiply the elements (a page closing 5,000
    distinct ``<font>`` in as many paragraphs makes 12 million). An entry past that cap
    is dropped and its ``serial`` listed in ``never_reopened``.
    """

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self.waiting = 0
        self.never_reopened: list[int] = []
        self._segments = [_Segment()]

    def add(self, name: str, key: str, serial: int, index: int) -> Entry:
        """A formatting element just opened at ``index``; the earliest of four identical
        ones leaves the list (its element stays open)."""
        segment = self._segments[-1]
        identical = segment.identical(key)
        if len(identical) >= _NOAHS_ARK:
            self._remove(identical[0])
        entry = Entry(name, key, serial, index, segment)
        segment.add(entry)
        return entry

    def last(self, name: str) -> Entry | None:
        """The latest live entry called ``name`` since the last marker."""
        found = self._segments[-1].by_name.get(name)
        while found and not found[-1].alive:
            found.pop()
        return found[-1] if found else None

    def remove(self, entry: Entry) -> None:
        """Its element was closed as itself (end tag, a new <a>): it leaves the list."""
        if entry.alive:
            self._remove(entry)

    def popped(self, entry: Entry) -> bool:
        """Its element was closed by another tag: it waits to be reopened. False when the
        cap is reached: the entry is dropped instead."""
        if not entry.alive:
            return True
        if self.waiting >= self.max_waiting:
            self._remove(entry)
            if entry.serial >= 0:
                self.never_reopened.append(entry.serial)
            return False
        entry.index = -1
        self.waiting += 1
        return True

    def to_reopen(self) -> list[Entry]:
        """The entries the builder opens again now, in order: the waiting ones after the
        last marker and after the last entry still on the stack."""
        if not self.waiting:
            return []
        reopen: list[Entry] = []
        for entry in reversed(self._segments[-1].entries):
            if not entry.alive:
                continue
            if entry.index >= 0:
                break
            reopen.append(entry)
        reopen.reverse()
        return reopen

    def reopened(self, entry: Entry, index: int) -> None:
        entry.index = index
        self.waiting -= 1

    def add_marker(self) -> None:
        self._segments.append(_Segment())

    def clear_to_marker(self) -> None:
        """Forget the entries after the last marker, and the marker (elements of those
        still on the stack stay open, off the list)."""
        if len(self._segments) == 1:
            return
        for entry in self._segments.pop().entries:
            if entry.alive:
                entry.alive = False
                if entry.index < 0:
                    self.waiting -= 1

    def _remove(self, entry: Entry) -> None:
        entry.alive = False
        if entry.index < 0:
            self.waiting -= 1
        entry.segment.died(entry)
