"""What ``read_metadata`` costs per page, and what it finds, over a directory of pages.

    python bench/metadata_cost.py --dataset ../shared/bench/zyte [--show 5]

Prints the median and 95th-percentile time of ``read_metadata`` on an already
parsed tree (the parse belongs to the extractor), the share of pages where each
field was found, and optionally the metadata of the first pages for eyeballing.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import time
from dataclasses import asdict, fields
from pathlib import Path

from selectolax.lexbor import LexborHTMLParser

from cleaners.decode import decode_html
from cleaners.metadata import PageMetadata, read_metadata

REPEATS = 5  # best of N smooths out the other processes sharing the machine


def _pages(dataset: Path) -> list[Path]:
    return sorted((dataset / "html").glob("*.htm*"))


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, required=True,
                        help="a directory holding html/*.html[.gz]")
    parser.add_argument("--show", type=int, default=0, help="print metadata of N pages")
    args = parser.parse_args()

    costs: list[float] = []
    found = dict.fromkeys((field.name for field in fields(PageMetadata)), 0)
    pages = _pages(args.dataset)
    for index, path in enumerate(pages):
        tree = LexborHTMLParser(decode_html(_read(path)))
        best = float("inf")
        for _ in range(REPEATS):
            start = time.perf_counter()
            metadata = read_metadata(tree)
            best = min(best, time.perf_counter() - start)
        costs.append(best * 1000)
        for name, value in asdict(metadata).items():
            found[name] += value not in (None, ())
        if index < args.show:
            print(path.name, metadata, sep="\n  ", end="\n\n")

    costs.sort()
    print(f"pages: {len(pages)}")
    print(f"read_metadata ms/page: median {statistics.median(costs):.3f}, "
          f"p95 {costs[int(0.95 * (len(costs) - 1))]:.3f}, max {costs[-1]:.3f}")
    print("| field | found |\n|---|---|")
    for name, count in found.items():
        print(f"| {name} | {count / len(pages):.0%} |")


if __name__ == "__main__":
    main()
