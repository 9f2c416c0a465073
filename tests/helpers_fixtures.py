"""Golden pages in ``fixtures/pages``: loading them, and running the cleaner on them.

Each page NAME has four files: ``NAME.html`` (raw bytes), ``NAME.meta.json`` (how it
was fetched: url, final_url, content_type, status), ``NAME.expected.txt`` (the exact
clean body) and ``NAME.expected.json`` (metadata and must/must-not strings).
Shared by ``tests/test_fixtures.py`` and ``fixtures/regen.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaners import Article, extract

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@dataclass(frozen=True)
class GoldenPage:
    name: str
    html: bytes
    url: str
    content_type: str | None
    expected_text: str
    expected: dict[str, Any]

    def extract(self) -> Article:
        headers = {"content-type": self.content_type} if self.content_type else None
        return extract(self.html, self.url, headers=headers)


def golden_page_names(directory: Path = PAGES) -> list[str]:
    return sorted(path.name.removesuffix(".html") for path in directory.glob("*.html"))


def load_golden_page(name: str, directory: Path = PAGES) -> GoldenPage:
    meta = json.loads((directory / f"{name}.meta.json").read_text("utf-8"))
    return GoldenPage(
        name=name,
        html=(directory / f"{name}.html").read_bytes(),
        url=meta.get("final_url") or meta["url"],
        content_type=meta.get("content_type"),
        expected_text=(directory / f"{name}.expected.txt").read_text("utf-8"),
        expected=json.loads((directory / f"{name}.expected.json").read_text("utf-8")),
    )
