"""The tags of an HTML document as its tokenizer reads them, and the parser's element kinds.

Used by ``cleaners.markup.nesting`` to follow the tree builder's stack without building a tree.
The kinds are those of the WHATWG HTML standard ("parsing HTML documents").
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_WS = "\\t\\n\\f\\r "
_ATTRIBUTE = (
    f"[{_WS}/]*+[^{_WS}/>][^{_WS}/>=]*+"
    f"(?:[{_WS}]*+=[{_WS}]*+(?:\"[^\"]*+\"|'[^']*+'|[^{_WS}>]*+))?+"
)
# One token: a comment, a CDATA opener, a doctype or bogus comment, or a tag (groups 2-5:
# "/" of an end tag, name, attributes, what precedes ">"). Attributes are matched as the
# tokenizer reads them, so a quoted ">" or "</div>" inside a value is not a tag.
TOKEN = re.compile(
    r"<!--(?:-?>|.*?--!?>|.*)"
    r"|<(!\[CDATA\[)"
    r"|<[!?][^>]*+>?"
    r"|</(?![A-Za-z])[^>]*+>?"
    f"|<(/?)([A-Za-z][^{_WS}/>]*+)((?:{_ATTRIBUTE})*+)([{_WS}/]*+)>",
    re.S,
)
_SCRIPT_STATES = re.compile(r"<!--|-->|<(/?)script[\t\n\f\r />]", re.I)
_FONT_BREAKOUT = re.compile(r"(?:^|[\t\n\f\r /])(?:color|face|size)[\t\n\f\r ]*=", re.I)
_RAW_TEXT_ENDS: dict[str, re.Pattern[str]] = {}


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


VOID = _names(
    "area base basefont bgsound br col embed frame hr img image input keygen link meta "
    "param source track wbr"
)
IGNORED = _names("html head body frameset")  # never a new element on the stack
RAW_TEXT = _names("script style xmp iframe noembed noframes textarea title plaintext")
HEADINGS = _names("h1 h2 h3 h4 h5 h6")
CLOSES_P = HEADINGS | _names(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form header hgroup hr listing main menu nav ol p plaintext pre search "
    "section summary ul xmp"
)
CLOSED_IN_SCOPE = _names(
    "address applet article aside blockquote button center details dialog dir div dl dd dt "
    "fieldset figcaption figure footer header hgroup listing main marquee menu nav object ol "
    "pre search section summary ul"
)
FORMATTING = _names("a b big code em font i nobr s small strike strong tt u")
SPECIAL = (
    CLOSES_P
    | RAW_TEXT
    | _names(
        "applet button caption colgroup dd dt li marquee noscript object select table tbody "
        "td template tfoot th thead tr"
    )
)
# The default scope's boundaries. <select> is none for the standard, but inside one
# lexbor closes nothing that is outside it: for depth it acts as one.
BOUNDS = _names("applet caption table td th marquee object select template")
MARKERS = _names("applet caption marquee object td th template")
CELLS = _names("td th caption")  # closing one forgets the formatting opened inside it
TABLE_PARTS = _names("table caption colgroup tbody thead tfoot tr td th")
TABLISH = _names("table caption tbody thead tfoot tr td th template")
SECTIONS = _names("tbody thead tfoot")
BREAKOUT = HEADINGS | _names(
    "b big blockquote body br center code dd div dl dt em embed head hr i img li listing menu "
    "meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var"
)
# Start tags the builder does not open waiting formatting elements again for.
KEEPS_FORMATTING = (
    CLOSES_P
    | TABLE_PARTS
    | IGNORED
    | _names("li dd dt hr col base basefont bgsound link meta frame param source track template")
)
IMPLIES_ENDS = CLOSES_P | _names("li dd dt option button")  # start tags that close others
# Start tags with their own handling; the others only close what they imply, and open again
# the formatting elements waiting, before they go on the stack.
UNUSUAL_START = VOID | IGNORED | TABLE_PARTS | FORMATTING | _names("svg math form select")
IMPLIED_END = _names("dd dt li optgroup option p rb rp rt rtc")  # closed by "</form>" & co
SVG, MATH = 1, 2
INTEGRATION_POINTS = {
    SVG: _names("foreignobject desc title"),
    MATH: _names("mi mo mn ms mtext annotation-xml"),
}


def tokens(html: str, start: int) -> Iterator[re.Match[str]]:
    """The tokens of ``html`` from ``start``: see ``TOKEN`` for their groups."""
    return TOKEN.finditer(html, start)


def breaks_out(name: str, attributes: str) -> bool:
    """Does this start tag end the SVG or MathML content it appears in?"""
    return name in BREAKOUT or (name == "font" and _FONT_BREAKOUT.search(attributes) is not None)


def raw_text_end(html: str, name: str, start: int) -> int | None:
    """Where the end tag of raw text element ``name``, opened before ``start``, begins."""
    if name == "script":
        return _script_end(html, start)
    pattern = _RAW_TEXT_ENDS.get(name)
    if pattern is None:
        pattern = _RAW_TEXT_ENDS[name] = re.compile(f"</{name}[{_WS}/>]", re.I)
    found = pattern.search(html, start)
    return None if found is None else found.start()


def _script_end(html: str, start: int) -> int | None:
    """A script ends at ``</script`` unless escaped: ``<!--`` then ``<script`` hide it."""
    state = 0  # 0: script data, 1: escaped (after <!--), 2: double escaped
    for found in _SCRIPT_STATES.finditer(html, start):
        token = found.group()
        if token == "<!--":
            state = state or 1
        elif token == "-->":
            state = 0
        elif found.group(1):  # </script
            if state != 2:
                return found.start()
            state = 1
        elif state == 1:  # <script
            state = 2
    return None
