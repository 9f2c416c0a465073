"""Bytes to text for HTML pages: BOM, then the HTTP charset, then ``<meta>``, then detection.

The order follows the HTML encoding-sniffing algorithm, with two corrections that real
news pages need: a declaration is trusted only if the bytes decode cleanly under it, and
bytes that are valid UTF-8 (with non-ASCII in them) are UTF-8 whatever the label says,
because a legacy-encoded French or Cyrillic page is practically never valid UTF-8 by
accident. Nothing here raises: the last resort is UTF-8 with replacement characters.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

# How far into the document a <meta> charset declaration is looked for.
META_PRESCAN_BYTES = 4096

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# WHATWG decodes these labels with a superset encoding; Python's codecs would not.
_SUPERSET_OF: dict[str, str] = {
    "ascii": "cp1252",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    # A <meta> cannot truthfully declare UTF-16 (it would not be ASCII-readable).
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.IGNORECASE
)

# A page declared UTF-8 that has a few stray bytes is repaired byte by byte when its
# valid multi-byte sequences outnumber the broken ones by this factor; otherwise the
# label is wrong for the whole page and detection decides.
_MOSTLY_UTF8_RATIO = 2

# windows-1252 is the web's default legacy encoding (the WHATWG fallback for Western
# pages). Detection on a short page often ranks a Baltic or Central European code page
# a hair ahead of it ("coūte" for "coûte"), so a windows-1252 candidate whose chaos
# score is within this margin of the best one is preferred.
_CP1252_CHAOS_MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class DecodedHtml:
    """Decoded text, the Python codec used, and which rule chose it."""

    text: str
    encoding: str
    source: str  # "bom" | "header" | "meta" | "utf-8" | "utf-8-repaired" | "detected" | "fallback"


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type value, as written, or None."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def decode_html(data: bytes, content_type: str | None = None) -> str:
    """Decode an HTML document; ``content_type`` is the HTTP Content-Type value, if any."""
    return decode(data, content_type).text


def decode(data: bytes, content_type: str | None = None) -> DecodedHtml:
    """Decode an HTML document and say how the encoding was chosen."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return DecodedHtml(data[len(bom) :].decode(encoding, "replace"), encoding, "bom")

    utf8 = _decode_utf8(data)
    declared = (
        ("header", _python_codec(charset_from_content_type(content_type))),
        ("meta", _python_codec(_meta_charset(data))),
    )
    for source, encoding in declared:
        if encoding is None:
            continue
        if utf8 is not None and (encoding == "utf-8" or not data.isascii()):
            return utf8
        if encoding == "utf-8":
            continue  # mislabelled: another declaration or detection decides
        text = _strict(data, encoding)
        if text is not None:
            return DecodedHtml(text, encoding, source)

    # Nothing declared, or nothing declared that fits the bytes.
    if utf8 is not None:
        return utf8
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is not None:
        best = next(
            (
                match
                for match in matches
                if "cp1252" in match.could_be_from_charset
                and match.chaos <= best.chaos + _CP1252_CHAOS_MARGIN
            ),
            best,
        )
        return DecodedHtml(str(best), _python_codec(best.encoding) or best.encoding, "detected")
    return DecodedHtml(data.decode("utf-8", "replace"), "utf-8", "fallback")


def _python_codec(label: str | None) -> str | None:
    """The Python codec name for a charset label, widened to the WHATWG superset."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSET_OF.get(name, name)


def _meta_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data, 0, META_PRESCAN_BYTES)
    return match.group(1).decode("ascii") if match else None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):  # "undefined" raises a bare UnicodeError
        return None


def _decode_utf8(data: bytes) -> DecodedHtml | None:
    """UTF-8 if the bytes are UTF-8, repaired if only a few stray bytes break it, else None."""
    text = _strict(data, "utf-8")
    if text is not None:
        return DecodedHtml(text, "utf-8", "utf-8")
    replaced = data.decode("utf-8", "replace")
    broken = replaced.count("\ufffd")
    non_ascii = len(replaced) - len(replaced.encode("ascii", "ignore"))
    if non_ascii - broken >= _MOSTLY_UTF8_RATIO * broken:
        return DecodedHtml(data.decode("utf-8", "cp1252-bytes"), "utf-8", "utf-8-repaired")
    return None


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: read bytes that are not UTF-8 as windows-1252 (stray smart quotes)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", "replace"), error.end


codecs.register_error("cp1252-bytes", _cp1252_bytes)
