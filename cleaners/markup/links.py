"""Links as a page writes them (relative, under a ``<base href>``), made absolute."""

from __future__ import annotations

from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser


def base_url(tree: LexborHTMLParser, url: str | None) -> str | None:
    """What relative links of the page resolve against: ``<base href>``, else ``url``."""
    base = tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    return absolute_url(href, url) or url


def absolute_url(href: str | None, base: str | None) -> str | None:
    """``href`` made absolute against ``base``; None unless the result is http(s)."""
    if not href or not href.strip():
        return None
    try:
        absolute = urljoin(base, href.strip()) if base else href.strip()
    except ValueError:  # malformed IPv6 hosts and the like
        return None
    return absolute if absolute.lower().startswith(("http://", "https://")) else None
