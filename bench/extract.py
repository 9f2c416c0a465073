"""Quality and speed of ``cleaners.extract`` next to trafilatura, on one labelled page set.

Usage::

    python bench/extract.py --dataset ../shared/bench/wcxb-dev [--half a|b] [--per-page out.tsv]
        [--perturb no-names|no-landmarks]

The dataset is any directory holding ``html/<id>.html`` or ``html/<id>.html.gz`` and
``ground-truth.json`` shaped ``{id: {"url": ..., "articleBody": ...}}``; WCXB entries also
carry ``with`` / ``without`` snippets and a ``domain``.

Metrics, per set:

- the Zyte metric: a text is the multiset of its word 4-grams (tokens are runs of ``\\w``;
  a text of 1-3 tokens is one shorter shingle). Per page, precision = tp / (tp + fp) and
  recall = tp / (tp + fn). Precision is averaged over pages with a non-empty prediction,
  recall over all pages, F1 is the harmonic mean of the two means. The ± figure is the
  standard deviation of F1 over bootstrap resamples of pages;
- WCXB's word F1: per page, F1 of the bags of lower-cased ``\\w+`` words; the mean;
- empty outputs; ``with`` snippets missed and ``without`` snippets leaked (whitespace
  collapsed, case folded, substring);
- losses: pages where an extractor's recall is under 0.5 while the reference's is 0.8 or
  more. The reference is trafilatura's default with comments off, the convention of both
  benchmarks.

``--half a|b`` keeps the pages of one half of the domains (a stable hash of the domain), so
that rules can be chosen on one half and checked on the other.

``--perturb`` rewrites every page before any extractor reads it, to see how a method does
on templates it cannot know: ``no-names`` removes every ``class`` and ``id`` attribute (the
hashed or utility class names of many modern sites), ``no-landmarks`` turns ``<nav>``,
``<header>``, ``<footer>``, ``<aside>``, ``<main>`` and ``<article>`` into ``<div>`` (an
older template). The ground truth is unchanged.

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
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import trafilatura

import cleaners

TOKEN_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4
BOOTSTRAP_ROUNDS = 1000
REFERENCE = "trafilatura"
# A loss: the article is gone from one output and kept by the reference.
LOST_RECALL = 0.5
KEPT_RECALL = 0.8

Extractor = Callable[[bytes, str], str]


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str
    url: str
    html: bytes
    truth: str
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PageScore:
    precision: float | None  # None when the prediction is empty
    recall: float
    word_f1: float
    missed: int  # ``with`` snippets absent from the prediction
    leaked: int  # ``without`` snippets present in it


@dataclass(frozen=True, slots=True)
class Summary:
    f1: float
    f1_se: float
    precision: float
    recall: float
    word_f1: float
    empty: int
    missed: int
    leaked: int
    losses: tuple[str, ...]  # page ids
    pages_per_second: float


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text or "")


def shingles(words: list[str]) -> Counter[tuple[str, ...]]:
    if not words:
        return Counter()
    count = max(1, len(words) - SHINGLE_SIZE + 1)
    return Counter(tuple(words[i : i + SHINGLE_SIZE]) for i in range(count))


def word_f1(truth_words: list[str], predicted_words: list[str]) -> float:
    truth_bag = Counter(w.lower() for w in truth_words)
    predicted_bag = Counter(w.lower() for w in predicted_words)
    common = sum((truth_bag & predicted_bag).values())
    if not common:
        return 1.0 if not truth_bag and not predicted_bag else 0.0
    precision = common / sum(predicted_bag.values())
    recall = common / sum(truth_bag.values())
    return 2 * precision * recall / (precision + recall)


def _folded(text: str) -> str:
    return " ".join(text.split()).casefold()


def score_page(page: Page, prediction: str) -> PageScore:
    true_words, predicted_words = tokens(page.truth), tokens(prediction)
    true_shingles, predicted_shingles = shingles(true_words), shingles(predicted_words)
    tp = sum((true_shingles & predicted_shingles).values())
    fp = sum((predicted_shingles - true_shingles).values())
    fn = sum((true_shingles - predicted_shingles).values())
    precision = tp / (tp + fp) if predicted_shingles else None
    recall = tp / (tp + fn) if tp + fn else 1.0
    folded = _folded(prediction)
    missed = sum(_folded(s) not in folded for s in page.with_snippets)
    leaked = sum(_folded(s) in folded for s in page.without_snippets)
    return PageScore(precision, recall, word_f1(true_words, predicted_words), missed, leaked)


def f1_of(scores: list[PageScore]) -> tuple[float, float, float]:
    precisions = [s.precision for s in scores if s.precision is not None]
    precision = statistics.fmean(precisions) if precisions else 0.0
    recall = statistics.fmean(s.recall for s in scores)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f1, precision, recall


def losses(pages: list[Page], scores: list[PageScore], reference: list[PageScore]) -> list[str]:
    """Ids of the pages whose article ``scores`` lost while ``reference`` kept it."""
    return [
        page.page_id
        for page, ours, ref in zip(pages, scores, reference, strict=True)
        if ours.recall < LOST_RECALL and ref.recall >= KEPT_RECALL
    ]


def summarise(
    pages: list[Page],
    scores: list[PageScore],
    reference: list[PageScore] | None,
    seconds: float,
    rng: random.Random,
) -> Summary:
    f1, precision, recall = f1_of(scores)
    resampled = [f1_of(rng.choices(scores, k=len(scores)))[0] for _ in range(BOOTSTRAP_ROUNDS)]
    return Summary(
        f1=f1,
        f1_se=statistics.pstdev(resampled),
        precision=precision,
        recall=recall,
        word_f1=statistics.fmean(s.word_f1 for s in scores),
        empty=sum(s.precision is None for s in scores),
        missed=sum(s.missed for s in scores),
        leaked=sum(s.leaked for s in scores),
        losses=tuple(losses(pages, scores, reference)) if reference is not None else (),
        pages_per_second=len(scores) / seconds if seconds else float("inf"),
    )


def domain_half(domain: str) -> str:
    """``a`` or ``b``: a stable split of domains into two halves."""
    return "ab"[zlib.crc32(domain.encode("utf-8")) % 2]


def load_pages(dataset: Path, limit: int | None = None, half: str | None = None) -> list[Page]:
    truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for page_id in sorted(truth):
        entry = truth[page_id]
        url = entry.get("url") or ""
        domain = entry.get("domain") or urlsplit(url).hostname or page_id
        if half is not None and domain_half(domain) != half:
            continue
        candidates = (dataset / "html" / f"{page_id}.html.gz", dataset / "html" / f"{page_id}.html")
        html_path = next(p for p in candidates if p.exists())
        data = html_path.read_bytes()
        if html_path.suffix == ".gz":
            data = gzip.decompress(data)
        pages.append(
            Page(
                page_id,
                url,
                data,
                entry.get("articleBody") or "",
                tuple(entry.get("with") or ()),
                tuple(entry.get("without") or ()),
            )
        )
    return pages[:limit]


_NAME_ATTRIBUTES = re.compile(rb"""\s(?:class|id)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.I)
_LANDMARKS = re.compile(rb"(?<=<)(/?)(?:nav|header|footer|aside|main|article)\b", re.I)
PERTURBATIONS: dict[str, Callable[[bytes], bytes]] = {
    "no-names": lambda html: _NAME_ATTRIBUTES.sub(b"", html),
    "no-landmarks": lambda html: _LANDMARKS.sub(rb"\1div", html),
}


def ours(html: bytes, url: str) -> str:
    return cleaners.extract(html, url).text


def trafilatura_default(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False) or ""


def trafilatura_fast(html: bytes, url: str) -> str:
    return trafilatura.extract(html, url=url, include_comments=False, fast=True) or ""


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


def format_table(summaries: dict[str, Summary], snippets: bool) -> str:
    reference_speed = summaries[REFERENCE].pages_per_second if REFERENCE in summaries else None
    header = "| extractor | F1 ± s.e. | precision | recall | word F1 | empty |"
    rule = "|---|---|---|---|---|---|"
    if snippets:
        header += " with missed | without leaked |"
        rule += "---|---|"
    header += " losses | pages/s | × trafilatura |"
    rule += "---|---|---|"
    lines = [header, rule]
    for name, s in summaries.items():
        ratio = f"{s.pages_per_second / reference_speed:.2f}" if reference_speed else "-"
        row = (
            f"| {name} | {s.f1:.3f} ± {s.f1_se:.3f} | {s.precision:.3f} | {s.recall:.3f} "
            f"| {s.word_f1:.3f} | {s.empty} |"
        )
        if snippets:
            row += f" {s.missed} | {s.leaked} |"
        loss = str(len(s.losses)) if name != REFERENCE else "-"
        row += f" {loss} | {s.pages_per_second:.1f} | {ratio} |"
        lines.append(row)
    return "\n".join(lines)


def format_losses(summaries: dict[str, Summary], reverse: dict[str, tuple[str, ...]]) -> str:
    lines = []
    for name, s in summaries.items():
        if name == REFERENCE:
            continue
        lines.append(f"{name} loses {len(s.losses)} that {REFERENCE} keeps: {' '.join(s.losses)}")
        kept = reverse.get(name, ())
        lines.append(f"{REFERENCE} loses {len(kept)} that {name} keeps: {' '.join(kept)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--half", choices=("a", "b"), help="only one half of the domains")
    parser.add_argument("--per-page", type=Path, help="write per-page precision/recall (TSV)")
    parser.add_argument("--limit", type=int, help="only the first N pages (by id)")
    parser.add_argument(
        "--only", choices=sorted(EXTRACTORS), action="append", help="run only these extractors"
    )
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="cpu")
    parser.add_argument(
        "--perturb", choices=sorted(PERTURBATIONS), help="rewrite every page before extraction"
    )
    args = parser.parse_args(argv)

    pages = load_pages(args.dataset, args.limit, args.half)
    if args.perturb:
        rewrite = PERTURBATIONS[args.perturb]
        pages = [replace(page, html=rewrite(page.html)) for page in pages]
    names = args.only or list(EXTRACTORS)
    if REFERENCE not in names:
        names.append(REFERENCE)  # losses are counted against it
    outputs, seconds = run(pages, names, CLOCKS[args.clock])
    scores = {
        name: [score_page(p, text) for p, text in zip(pages, outputs[name], strict=True)]
        for name in names
    }
    rng = random.Random(0)
    summaries = {
        name: summarise(pages, scores[name], scores[REFERENCE], seconds[name], rng)
        for name in names
    }
    reverse = {name: tuple(losses(pages, scores[REFERENCE], scores[name])) for name in names}
    half = f", domain half {args.half}" if args.half else ""
    perturbed = f", perturbed: {args.perturb}" if args.perturb else ""
    print(f"{len(pages)} pages from {args.dataset}{half}{perturbed}, {args.clock} time")
    print(format_table(summaries, snippets=any(p.with_snippets for p in pages)))
    print()
    print(format_losses(summaries, reverse))
    if args.per_page:
        write_per_page(args.per_page, pages, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
