"""What ``read_metadata`` costs per page, and what it finds, over a directory of pages.

    python bench/metadata_cost.py --dataset ../shared/bench/zyte [--show 5]

Prints the median and 95th-percentile CPU time of ``read_metadata`` on an already
parsed tree (the parse belongs to the extractor) and, when the dataset has a
``ground-truth.json`` of article bodies, of ``detect_language`` on them; the share
of pages where each field was found; optionally the metadata of the first pages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, fields
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from cleaners.markup.decode import decode_html
from cleaners.metadata import PageMetadata, read_metadata
from cleaners.metadata.language import detect_language

REPEATS = 5  # best of N smooths out the other processes sharing the machine
# This process's CPU time, which other jobs on a shared machine do not inflate.
CLOCK = time.process_time


def _pages(dataset: Path) -> list[Path]:
    return sorted((dataset / "html").glob("*.htm*"))


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def _best_ms(call: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = CLOCK()
        call()
        best = min(best, CLOCK() - start)
    return best * 1000


def _summary(name: str, costs: list[float]) -> str:
    costs = sorted(costs)
    return (
        f"{name} ms/page: mean {statistics.fmean(costs):.3f}, "
        f"median {statistics.median(costs):.3f}, "
        f"p95 {costs[int(0.95 * (len(costs) - 1))]:.3f}, max {costs[-1]:.3f}"
    )


def _language_costs(dataset: Path) -> list[float]:
    truth_file = dataset / "ground-truth.json"
    if not truth_file.exists():
        return []
    bodies = [page["articleBody"] for page in json.loads(truth_file.read_text()).values()]
    detect_language("load the model before timing anything")
    return [_best_ms(lambda body=body: detect_language(body, "en")) for body in bodies]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dataset", type=Path, required=True, help="a directory holding html/*.html[.gz]"
    )
    parser.add_argument("--show", type=int, default=0, help="print metadata of N pages")
    args = parser.parse_args()

    costs: list[float] = []
    found = dict.fromkeys((field.name for field in fields(PageMetadata)), 0)
    pages = _pages(args.dataset)
    for index, path in enumerate(pages):
        tree = LexborHTMLParser(decode_html(_read(path)))
        costs.append(_best_ms(lambda tree=tree: read_metadata(tree)))
        metadata = read_metadata(tree)
        for name, value in asdict(metadata).items():
            found[name] += value not in (None, ())
        if index < args.show:
            print(path.name, metadata, sep="\n  ", end="\n\n")

    print(f"pages: {len(pages)}")
    print(_summary("read_metadata", costs))
    language_costs = _language_costs(args.dataset)
    if language_costs:
        print(_summary("detect_language", language_costs))
    print("| field | found |\n|---|---|")
    for name, count in found.items():
        print(f"| {name} | {count / len(pages):.0%} |")


if __name__ == "__main__":
    main()
