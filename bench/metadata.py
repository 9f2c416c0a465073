"""Title, author and publication-day accuracy: newsclean next to trafilatura, same pages.

    python bench/metadata.py --dataset ../shared/bench/wcxb-dev [--errors N] [--only NAME]

The dataset is a directory of ``html/<id>.html[.gz]`` and a ``ground-truth.json``
``{id: {"url", "domain", "title", "author", "publish_date", ...}}`` (the WCXB shape; a
field is null where the page has none). Scoring, per field, over the pages that have
the annotation:

- **title**: equal after lower-casing and keeping only the words (runs of ``\\w``);
- **author**: one of the extractor's authors contains, or is contained in, the annotated
  author (case-folded, spacing collapsed); no author is a miss;
- **day**: the first 10 characters of the extractor's ISO date equal the annotated date;
  **day*** the same with the last-update date standing in where no publication date was
  found (what a reader gets who takes ``published or modified``).

The table is printed for all pages and for two halves split by a hash of the domain
(``half A``: tune here, ``half B``: check here), so a rule that only fits the pages it
was tuned on shows. Then, for each field, the first ``--errors`` misses of the first
extractor: what it said, and the truth. The time column is CPU milliseconds per page of
the metadata step alone (ours on the tree the cleaner has already parsed; trafilatura's
``extract_metadata`` and htmldate's ``find_date`` include their own parse).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from cleaners.markup.decode import decode_html
from cleaners.metadata import read_metadata

FIELDS = ("title", "author", "day")
HALVES = ("A", "B")
_WORDS = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Found:
    """What one extractor said about one page."""

    title: str | None
    authors: tuple[str, ...]
    published: str | None
    modified: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    id: str
    url: str
    half: str
    html: str
    truth: dict[str, str | None]


def ours(page: Page) -> tuple[Found, float]:
    tree = LexborHTMLParser(page.html)
    start = time.process_time()
    meta = read_metadata(tree, page.url)
    spent = time.process_time() - start
    return Found(meta.title, meta.authors, meta.published, meta.modified), spent


def trafilatura_metadata(page: Page) -> tuple[Found, float]:
    from trafilatura import extract_metadata

    start = time.process_time()
    document = extract_metadata(page.html, default_url=page.url)
    spent = time.process_time() - start
    authors = tuple(name.strip() for name in (document.author or "").split(";") if name.strip())
    return Found(document.title, authors, document.date), spent


def htmldate_fast(page: Page) -> tuple[Found, float]:
    from htmldate import find_date

    start = time.process_time()
    day = find_date(page.html, url=page.url, original_date=True, extensive_search=False)
    spent = time.process_time() - start
    return Found(None, (), day), spent


EXTRACTORS: dict[str, Callable[[Page], tuple[Found, float]]] = {
    "newsclean": ours,
    "trafilatura": trafilatura_metadata,
    "htmldate fast": htmldate_fast,
}
# What each extractor gives; the others' cells print "—".
PROVIDES = {"htmldate fast": ("day",)}


def half_of(domain: str) -> str:
    """A or B, stable across runs and machines (not Python's salted ``hash``)."""
    return HALVES[zlib.crc32(domain.encode("utf-8")) % 2]


def load_pages(dataset: Path) -> list[Page]:
    truth = json.loads((dataset / "ground-truth.json").read_text("utf-8"))
    pages = []
    for page_id, record in sorted(truth.items()):
        candidates = sorted((dataset / "html").glob(f"{page_id}.htm*"))
        if not candidates:
            continue
        data = candidates[0].read_bytes()
        if candidates[0].suffix == ".gz":
            data = gzip.decompress(data)
        domain = record.get("domain") or record["url"].split("/")[2]
        pages.append(Page(page_id, record["url"], half_of(domain), decode_html(data), record))
    return pages


def _words(text: str | None) -> str:
    return " ".join(_WORDS.findall((text or "").lower()))


def _folded(text: str) -> str:
    return _SPACES.sub(" ", text.casefold()).strip()


def score(field: str, found: Found, truth: dict[str, str | None]) -> bool | None:
    """Whether ``found`` is right on ``field``; None when the page has no annotation."""
    if field == "title":
        expected = truth.get("title")
        return None if not expected else _words(found.title) == _words(expected)
    if field == "author":
        expected = truth.get("author")
        if not expected:
            return None
        wanted = _folded(expected)
        names = [_folded(name) for name in found.authors if name.strip()]
        return any(name in wanted or wanted in name for name in names)
    expected = truth.get("publish_date")
    if not expected:
        return None
    if field == "day*":
        return (found.published or found.modified or "")[:10] == expected
    return (found.published or "")[:10] == expected


def said(field: str, found: Found) -> str | None:
    if field == "title":
        return found.title
    if field == "author":
        return " | ".join(found.authors) or None
    return found.published


def _truth_of(field: str, truth: dict[str, str | None]) -> str | None:
    return truth.get({"title": "title", "author": "author", "day": "publish_date"}[field])


def _share(results: Iterable[bool | None]) -> str:
    scored = [result for result in results if result is not None]
    return f"{sum(scored) / len(scored):.3f}" if scored else "—"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument(
        "--only", action="append", choices=sorted(EXTRACTORS), help="run only these (repeatable)"
    )
    parser.add_argument(
        "--errors", type=int, default=1000, help="misses listed per field (default: all)"
    )
    parser.add_argument("--field", choices=FIELDS, action="append", help="list misses of these")
    parser.add_argument("--half", choices=HALVES, help="list misses of one half only")
    args = parser.parse_args()

    names = args.only or list(EXTRACTORS)
    pages = load_pages(args.dataset)
    found: dict[str, list[Found]] = {}
    cpu: dict[str, float] = {}
    for name in names:
        runs = [EXTRACTORS[name](page) for page in pages]
        found[name] = [result for result, _ in runs]
        cpu[name] = sum(spent for _, spent in runs) / len(pages) * 1000

    counts = {half: sum(page.half == half for page in pages) for half in HALVES}
    print(f"pages: {len(pages)} (half A {counts['A']}, half B {counts['B']})")
    nothing = Found(None, (), None)
    annotated = {
        field: sum(score(field, nothing, page.truth) is not None for page in pages)
        for field in FIELDS
    }
    print("annotated: " + ", ".join(f"{field} {count}" for field, count in annotated.items()))
    print()
    print("| extractor | pages | title | author | day | day* | CPU ms/page |")
    print("|---|---|---|---|---|---|---|")
    for name in names:
        for label, wanted in (("all", None), ("half A", "A"), ("half B", "B")):
            chosen = [
                (page, result)
                for page, result in zip(pages, found[name], strict=True)
                if wanted is None or page.half == wanted
            ]
            shares = [
                _share(score(field, result, page.truth) for page, result in chosen)
                if field in PROVIDES.get(name, (*FIELDS, "day*"))
                else "—"
                for field in (*FIELDS, "day*")
            ]
            time_cell = f"{cpu[name]:.1f}" if wanted is None else ""
            print(f"| {name} | {label} | {' | '.join(shares)} | {time_cell} |")

    first = names[0]
    for field in args.field or FIELDS:
        misses = [
            (page, result)
            for page, result in zip(pages, found[first], strict=True)
            if score(field, result, page.truth) is False
            and (args.half is None or page.half == args.half)
        ]
        print(f"\n## {first}: {field} misses ({len(misses)})")
        for page, result in misses[: args.errors]:
            print(f"{page.id} [{page.half}] {page.url}")
            print(f"    said:  {said(field, result)!r}")
            print(f"    truth: {_truth_of(field, page.truth)!r}")


if __name__ == "__main__":
    main()
