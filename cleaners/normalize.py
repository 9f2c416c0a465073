"""Text normalisation: a canonical form for hashing, and tidy whitespace for article text.

Two different jobs share this module because they share the character tables:

* ``normalize_for_hash`` erases every difference a reader would not call a different
  text (case, Unicode compatibility forms, typographic quotes and dashes, invisible
  characters, spacing), so the same article fetched twice hashes the same.
* ``normalize_whitespace`` only tidies layout. It maps NBSP and the narrow NBSP (U+202F,
  French typography before ``:;!?`` and inside « ») to a plain space, so that text from
  different sites and from hand-written fixtures compares equal; the characters
  themselves are otherwise left alone.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

# Invisible characters that change nothing a reader sees.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_TYPOGRAPHIC_TO_ASCII = str.maketrans(
    {
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u02bc", "'"),
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
        **_INVISIBLE,
    }
)
# The same tables as patterns: str.translate looks every character of a non-ASCII
# text up in its table, re.sub only the few that match (a tenth of the time).
_INVISIBLE_PATTERN = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_TYPOGRAPHIC_PATTERN = re.compile("[" + "".join(map(chr, _TYPOGRAPHIC_TO_ASCII)) + "]")


def normalize_for_hash(text: str) -> str:
    """The canonical form of ``text`` that ``content_hash`` digests.

    NFKC, case-folded, invisible characters removed, typographic quotes, guillemets and
    dashes mapped to ASCII, every run of whitespace collapsed to one space.
    """
    # Invisible characters go first: between a letter and its combining accent they
    # would stop NFKC from composing the two.
    text = unicodedata.normalize("NFKC", _INVISIBLE_PATTERN.sub("", text))
    # Case folding can decompose (e.g. "İ"), so NFKC again to stay idempotent.
    text = unicodedata.normalize("NFKC", text.casefold())
    ascii_marks = _TYPOGRAPHIC_PATTERN.sub(
        lambda mark: mark[0].translate(_TYPOGRAPHIC_TO_ASCII), text
    )
    return " ".join(ascii_marks.split())


def content_hash(text: str) -> str:
    """Hex SHA-256 of ``normalize_for_hash(text)``; raises ValueError for empty text."""
    normalized = normalize_for_hash(text)
    if not normalized:
        raise ValueError("empty text has no hash")
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def normalize_whitespace(text: str) -> str:
    """Tidy the layout of article text.

    Every kind of line break becomes ``\\n``; within a line, every run of whitespace
    (NBSP, U+202F and tabs included) becomes one plain space and the ends are trimmed; a
    line of nothing but zero-width characters is blank; at most one blank line separates
    paragraphs; blank lines at both ends go.
    """
    # str.split() and str.splitlines() know every Unicode space and line break, and run
    # far faster than a regular expression over the whole text (this is on the hot path
    # of every extraction).
    return join_lines(_visible_line(" ".join(line.split())) for line in text.splitlines())


# Zero-width characters: not spaces to str.split(), yet a line of nothing else is blank
# (page builders emit "<p>&zwj;</p>" as a spacer). Inside words they stay: emoji
# sequences and some scripts need them.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _visible_line(line: str) -> str:
    return "" if line and not line.strip(_INVISIBLE) else line


def join_lines(lines: Iterable[str]) -> str:
    """Join trimmed lines, keeping at most one blank line between paragraphs."""
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    return "\n".join(kept).strip("\n")
