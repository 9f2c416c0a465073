"""HTTP response headers as the cleaner reads them: names in any case."""

from __future__ import annotations

from collections.abc import Mapping


def header_value(headers: Mapping[str, str] | None, name: str) -> str | None:
    """The value of header ``name`` (lower case) in ``headers``, whatever case they use."""
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value
    return None
