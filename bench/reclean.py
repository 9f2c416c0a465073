"""``scrape reclean`` throughput against the single-core ``cleaners.extract`` rate.

Usage::

    python bench/reclean.py --dataset ../shared/bench/zyte [--copies 3] [--workers 2]

Builds a scratch SQLite database holding every page of the dataset ``--copies``
times (each copy after the first with a word of its own at the start of every
paragraph, so copies stay distinct articles), each as an archived fetch of an article whose
stored text is a placeholder, as if an older cleaner had made it. Then, in one run:

1. single core: ``cleaners.extract`` over every stored page in this process, with
   its URL and headers as reclean passes them, after one warm-up call (wall
   clock and CPU time);
2. ``reclean`` with ``--workers`` processes over the whole database (wall clock):
   end to end, and steady state (from the first written batch to the last,
   which leaves out the start of the worker processes).

Prints the rates and the ratio reclean / single core; the target on two cores
is 1.8. The machine must not be busy with other work for the ratio to mean much.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import cleaners
from cleaners import Article
from scraper.archive import RawPage
from scraper.reclean import RecleanReport, reclean
from scraper.records import FetchAttempt
from scraper.storage import Store, open_store


def load_pages(dataset: Path) -> list[bytes]:
    pages = []
    for path in sorted((dataset / "html").iterdir()):
        data = path.read_bytes()
        pages.append(gzip.decompress(data) if path.name.endswith(".gz") else data)
    return pages


HEADERS = (("content-type", "text/html"),)
PARAGRAPH = re.compile(rb"<p\b[^>]*>", re.IGNORECASE)


def copies_of(pages: list[bytes], copies: int) -> list[tuple[str, bytes]]:
    """(url, body) of every copy of every page."""
    stored = []
    for copy in range(copies):
        for index, body in enumerate(pages):
            if copy:
                mark = f"Exemplaire{copy} ".encode()
                body = PARAGRAPH.sub(lambda m, mark=mark: m[0] + mark, body)
            stored.append((f"https://bench.example/{copy}/{index}", body))
    return stored


def fill(store: Store, pages: list[tuple[str, bytes]]) -> None:
    for url, body in pages:
        attempt = FetchAttempt(url, datetime.now(UTC), url, 200, "text/html", len(body))
        stub = Article(text=f"placeholder for {url}", url=url)
        store.save(attempt, stub, [url], RawPage(body, HEADERS))


def single_core(pages: list[tuple[str, bytes]]) -> tuple[float, float]:
    """Pages per second of ``extract`` in this process: (wall clock, CPU time)."""
    headers = dict(HEADERS)
    cleaners.extract(pages[0][1])  # imports and first-call set-up are not per-page cost
    wall, cpu = time.perf_counter(), time.process_time()
    for url, body in pages:
        cleaners.extract(body, url, headers=headers)
    return len(pages) / (time.perf_counter() - wall), len(pages) / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    load = os.getloadavg()[0]
    pages = load_pages(args.dataset)
    stored = copies_of(pages, args.copies)
    with tempfile.TemporaryDirectory() as scratch, open_store(f"{scratch}/bench.db") as store:
        fill(store, stored)
        wall_rate, cpu_rate = single_core(stored)

        marks: list[tuple[float, int]] = []

        def mark(report: RecleanReport) -> None:
            marks.append((time.perf_counter(), report.pages))

        main_cpu = time.process_time()
        report = reclean(store, workers=args.workers, on_progress=mark)
        main_cpu = time.process_time() - main_cpu
        (first_time, first_pages), (last_time, last_pages) = marks[0], marks[-1]
        steady = (last_pages - first_pages) / (last_time - first_time)

    print(f"pages: {len(pages)} in the dataset, {len(stored)} archived ({args.copies} copies)")
    print(f"load average before: {load:.1f} (the machine must be otherwise idle)")
    print(f"reclean: {report.summary()}")
    print(f"reclean main process: {1000 * main_cpu / report.pages:.1f} ms CPU per page")
    print("| measure | pages/s | ratio to single core (wall) |")
    print("|---|---:|---:|")
    print(f"| extract, 1 core, wall clock | {wall_rate:.1f} | 1.00 |")
    print(f"| extract, 1 core, CPU time | {cpu_rate:.1f} | {cpu_rate / wall_rate:.2f} |")
    print(
        f"| reclean, {args.workers} workers, end to end | {report.pages_per_second:.1f} "
        f"| {report.pages_per_second / wall_rate:.2f} |"
    )
    print(
        f"| reclean, {args.workers} workers, steady state | {steady:.1f} "
        f"| {steady / wall_rate:.2f} |"
    )


if __name__ == "__main__":
    main()
