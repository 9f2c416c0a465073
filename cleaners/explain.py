"""``explain()``: the article plus every block the pruner removed, and why.

Runs the very code path of ``extract`` with a recorder attached to the pruner, so what
it shows is what ``extract`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from selectolax.lexbor import LexborNode

from cleaners.article import Article
from cleaners.extract import DEFAULT_DEADLINE, run_extraction

PREVIEW_CHARS = 80


@dataclass(frozen=True, slots=True)
class RemovedBlock:
    rule: str  # "tag", "chrome", "class-id token:share", "label", "teaser-list", ...
    selector: str  # tag#id.class summary of the removed element
    preview: str  # the start of its text


@dataclass(frozen=True, slots=True)
class Explanation:
    article: Article
    removed: tuple[RemovedBlock, ...]
    # Decisions beyond removals: when the recall guard fired, why, and what it kept.
    notes: tuple[str, ...] = ()


def explain(
    html: str | bytes,
    url: str | None = None,
    *,
    headers: Mapping[str, str] | None = None,
    known_boilerplate: frozenset[str] = frozenset(),
    fetched_at: datetime | None = None,
) -> Explanation:
    """Extract ``html`` and list the blocks removed on the way, in removal order."""
    removed: list[RemovedBlock] = []

    def record(rule: str, node: LexborNode) -> None:
        removed.append(RemovedBlock(rule, selector_of(node), preview_of(node)))

    notes: list[str] = []
    article = run_extraction(
        html, url, headers, known_boilerplate, DEFAULT_DEADLINE, record, fetched_at, notes
    )
    return Explanation(article, tuple(removed), tuple(notes))


def selector_of(node: LexborNode) -> str:
    attrs = node.attributes
    summary = node.tag or "?"
    if attrs.get("id"):
        summary += f"#{attrs['id']}"
    classes = (attrs.get("class") or "").split()
    return summary + "".join(f".{c}" for c in classes[:4])


def preview_of(node: LexborNode) -> str:
    text = " ".join(node.text(deep=True, separator=" ", strip=True).split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"
