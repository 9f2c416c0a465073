"""The raw strings a page declares about itself: meta tags, attributes, and tidying them.

CMSs escape values twice ("&amp;#39;"), leave raw entities in JSON-LD, and pad names
with newlines; every metadata field goes through ``clean`` before it is kept.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

from selectolax.lexbor import LexborHTMLParser, LexborNode

MetaTags = Mapping[str, list[str]]

_ENTITY = re.compile(r"&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
_SPACES = re.compile(r"\s+")


def meta_tags(tree: LexborHTMLParser) -> dict[str, list[str]]:
    """Every meta tag's content by lower-cased property/name/itemprop/http-equiv."""
    found: dict[str, list[str]] = {}
    for node in tree.css("meta[content]"):
        attributes = node.attributes
        content = attributes.get("content")
        if not content:
            continue
        keys = [
            attributes.get("property"),
            attributes.get("name"),
            attributes.get("http-equiv"),
            *(attributes.get("itemprop") or "").split(),
        ]
        for key in keys:
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


def first_meta(meta: MetaTags, *keys: str) -> str | None:
    """The first value of the first of ``keys`` the page has."""
    for key in keys:
        values = meta.get(key)
        if values:
            return values[0]
    return None


def attribute(node: LexborNode | None, name: str) -> str | None:
    """An attribute's value, stripped; None when missing or blank."""
    if node is None:
        return None
    value = node.attributes.get(name)
    return value.strip() if value and value.strip() else None


def unescape(value: str) -> str:
    """``value`` with the entities its CMS left in it resolved."""
    # The parser decodes attributes once; a value that still holds an entity was
    # escaped twice by its CMS ("&amp;#39;"), and raw JSON-LD text not at all.
    for _ in range(2):
        if not _ENTITY.search(value):
            break
        value = html.unescape(value)
    return value


def clean(value: str | None) -> str | None:
    """``value`` unescaped, its spacing collapsed; None when nothing is left."""
    if not value:
        return None
    text = _SPACES.sub(" ", unescape(value)).strip()
    return text or None


def first_clean(values: Iterable[str | None]) -> str | None:
    """The first value that is not blank once cleaned."""
    return next((text for text in map(clean, values) if text), None)


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """The cleaned values, each once whatever its case, in their first spelling."""
    seen: dict[str, str] = {}
    for value in values:
        text = clean(value)
        if text:
            seen.setdefault(text.casefold(), text)
    return tuple(seen.values())
