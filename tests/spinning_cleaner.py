"""A cleaner that never returns on one page: what the page time limit is for.

Imported by the worker processes of a crawl or a reclean (a ``functools.partial`` of it
is their ``extract``), so it lives in a module of its own, not in a test file.
"""

from __future__ import annotations

from typing import Any

import cleaners


def extract_spinning_on(
    marker: str, html: str | bytes, url: str | None = None, **options: Any
) -> cleaners.Article:
    """``cleaners.extract``, except that a page whose URL holds ``marker`` never returns."""
    if url is not None and marker in url:
        while True:  # a busy loop, as in a C call the deadline cannot stop
            pass
    return cleaners.extract(html, url, **options)
