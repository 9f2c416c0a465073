"""Fetch stage: one page over HTTP or from a saved file, guarded and decompressed.

``client`` holds the fetch policy (headers, timeouts, redirects, size cap, deadline),
``netguard`` the transport that refuses non-public addresses, ``decompress`` the
streaming body decoders. Nothing here knows the database.

Its public names are those of the module it replaced (docs/layout.md).
"""

from scraper.fetch.client import (
    DEFAULT_SETTINGS,
    REDIRECT_STATUSES,
    check_scheme,
    error_kind,
    fetch_page,
    fetch_page_async,
    make_async_client,
    make_client,
    read_saved_page,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "REDIRECT_STATUSES",
    "check_scheme",
    "error_kind",
    "fetch_page",
    "fetch_page_async",
    "make_async_client",
    "make_client",
    "read_saved_page",
]
