"""Quality and speed of ``cleaners.extract`` next to trafilatura, on one labelled page set.

Usage::

    python bench/extract.py --dataset ../shared/bench/zyte [--per-page out.tsv] [--limit N]

The dataset is any directory holding ``html/<id>.html`` or ``html/<id>.html.gz`` and
``ground-truth.json`` shaped ``{id: {"url": ..., "articleBody": ...}}``.

Metric (as published with the Zyte article-extraction benchmark): a text is the multiset
of its word 4-grams (tokens are runs of ``\\w``; a text of 1-3 tokens is one shorter
shingle). Per page, precision = tp / (tp + fp) and recall = tp / (tp + fn). Precision is
averaged over pages with a non-empty prediction, recall over all pages, F1 is the harmonic
mean of the two means, and exact match is the share of pages whose token sequence equals
the truth. The ± figure is the standard deviation of F1 over bootstrap resamples of pages.

Speed: every page is run through each extractor in turn, in one process, with the order
rotated from page to page so that cache warmth and machine load fall evenly on all of them.
Pin the process to one core (``taskset -c 0``) for a one-core figure. By default the time
counted is the CPU time of this process (``--clock cpu``), which other jobs on a shared
machine do not inflate; ``--clock wall`` counts elapsed time instead.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import trafilatura

import cleaners

TOKEN_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4
BOOTSTRAP_ROUNDS = 1000
REFERENCE = "trafilatura"

Extractor = Callable[[bytes, str], str]


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str
    url: str
    html: bytes
    truth: str


@dataclass(frozen=True, slots=True)
class PageScore:
    precision: float | None  # None when the prediction is empty
    recall: float
    exact: bool


@dataclass(frozen=True, slots=True)
class Summary:
    f1: float
    f1_se: float
    precision: float
    recall: float
    exact_share: float
    pages_per_second: float


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    if not words:
        return Counter()
    count = max(1, len(words) - SHINGLE_SIZE + 1)
    return Counter(tuple(words[i : i + SHINGLE_SIZE]) for i in range(count))


def score_page(truth: str, prediction: str) -> PageScore:
    true_words, predicted_words = tokens(truth), tokens(prediction)
    true_shingles, predicted_shingles = shingles(true_words), shingles(predicted_words)
    tp = sum((true_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - true_shingles).values())
    fn = sum((true_shingles - predicted_shingles).values())
    precision = tp / (tp + fp) if predicted_shingles else None
    recall = tp / (tp + fn) if tp + fn else 1.0
    return PageScore(precision, recall, true_words == predicted_words)


def f1_of(scores: list[PageScore]) -> tuple[float, float, float]:
    precisions = [s.precision for s in scores if s.precision is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(s.recall for s in scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def summarise(scores: list[PageScore], seconds: float, rng: random.Random) -> Summary:
    f1, precision, recall = f1_of(scores)
    resampled = [f1_of(rng.choices(scores, k=len(scores)))[0] for _ in range(BOOTSTRAP_ROUNDS)]
    exact_share = sum(s.exact for s in scores) / len(scores)
    return Summary(
        f1, statistics.pstdev(resampled), precision, recall, exact_share, len(scores) / seconds
    )


def load_pages(dataset: Path, limit: int | None) -> list[Page]:
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth)[:limit]:
        candidates = (dataset / "html" / f"{page_id}.html.gz", dataset / "html" / f"{page_id}.html")
        html_path = next(p for p in candidates if p.exists())
        data = html_path.read_bytes()
        if html_path.suffix == ".gz":
            data = gzip.decompress(data)
        entry = truth[page_id]
        pages.append(Page(page_id, entry.get("url") or "", data, entry.get("articleBody") or ""))
    return pages


def ours(html: bytes, url: str) -> str:
    return cleaners.extract(html, url).text


def trafilatura_default(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url) or ""


def trafilatura_fast(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url, fast=True) or ""


EXTRACTORS: dict[str, Extractor] = {
    "newsclean": ours,
    REFERENCE: trafilatura_default,
    "trafilatura fast": trafilatura_fast,
}


def rotated(names: list[str], shift: int) -> Iterator[str]:
    for i in range(len(names)):
        yield names[(i + shift) % len(names)]


CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}


def run(
    pages: list[Page], names: list[str], clock: Callable[[], float]
) -> tuple[dict[str, list[str]], dict[str, float]]:
    outputs: dict[str, list[str]] = {name: [] for name in names}
    seconds = dict.fromkeys(names, 0.0)
    for name in names:  # untimed warm-up: lazy imports and models load once per process
        EXTRACTORS[name](pages[0].html, pages[0].url)
    for index, page in enumerate(pages):
        for name in rotated(names, index):
            started = clock()
            text = EXTRACTORS[name](page.html, page.url)
            seconds[name] += clock() - started
            outputs[name].append(text)
    return outputs, seconds


def write_per_page(path: Path, pages: list[Page], scores: dict[str, list[PageScore]]) -> None:
    names = list(scores)
    header = ["id", "url"] + [f"{n} {m}" for n in names for m in ("P", "R")]
    with path.open("w", encoding="utf-8") as out:
        out.write("\t".join(header) + "\n")
        for i, page in enumerate(pages):
            cells = [page.page_id, page.url]
            for name in names:
                s = scores[name][i]
                cells += ["" if s.precision is None else f"{s.precision:.3f}", f"{s.recall:.3f}"]
            out.write("\t".join(cells) + "\n")


def format_table(summaries: dict[str, Summary]) -> str:
    reference_speed = summaries[REFERENCE].pages_per_second if REFERENCE in summaries else None
    lines = [
        "| extractor | F1 ± s.e. | precision | recall | exact | pages/s | × trafilatura |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in summaries.items():
        ratio = f"{s.pages_per_second / reference_speed:.2f}" if reference_speed else "-"
        lines.append(
            f"| {name} | {s.f1:.3f} ± {s.f1_se:.3f} | {s.precision:.3f} | {s.recall:.3f} "
            f"| {s.exact_share:.3f} | {s.pages_per_second:.1f} | {ratio} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--per-page", type=Path, help="write per-page precision/recall (TSV)")
    parser.add_argument("--limit", type=int, help="only the first N pages (by id)")
    parser.add_argument(
        "--only", choices=sorted(EXTRACTORS), action="append", help="run only these extractors"
    )
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    args = parser.parse_args(argv)

    pages = load_pages(args.dataset, args.limit)
    names = args.only or list(EXTRACTORS)
    outputs, seconds = run(pages, names, CLOCKS[args.clock])
    scores = {
        name: [score_page(p.truth, text) for p, text in zip(pages, outputs[name], strict=True)]
        for name in names
    }
    rng = random.Random(0)
    summaries = {name: summarise(scores[name], seconds[name], rng) for name in names}
    print(f"{len(pages)} pages from {args.dataset}, {args.clock} time")
    print(format_table(summaries))
    if args.per_page:
        write_per_page(args.per_page, pages, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
