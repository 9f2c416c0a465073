"""``scrape reclean`` throughput against the single-core ``cleaners.extract`` rate.

Usage::

    python bench/reclean.py --dataset ../shared/bench/zyte [--copies 3] [--workers 2]

Builds a scratch SQLite database holding every page of the dataset ``--copies``
times (each copy after the first with a word of its own at the start of every
paragraph, so copies stay distinct articles), each as an archived fetch of an article whose
stored text is a placeholder, as if an older cleaner had made it. Then, in one run:

1. single core: ``cleaners.extract`` over every stored page in this process, with
   its URL and headers as reclean passes them, after one warm-up call (wall
   clock and CPU time, the best of three passes);
2. ``reclean`` with ``--workers`` processes over the whole database, twice: pass 1
   replaces every placeholder (the costly case: new hashes, MinHash, bands), pass 2
   runs the same cleaner again (every text unchanged: metadata refresh only). Each
   is timed end to end and in steady state (from the first written batch to the
   last, leaving out the start of the worker processes).

Wall-clock figures need an otherwise idle machine. So that the ratio can be read on
a shared one too, the script also measures CPU time per page — of ``extract``, of a
worker's job (timed in-process on a sample) and of the main process — and prints
the rate those allow on idle cores: cores / (worker + main CPU per page), against
the single-core CPU rate. The target is 1.8 × the single-core rate on two cores.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from harness import cpu_seconds, descendants, machine_busy_seconds

import cleaners
from cleaners import Article
from scraper.reclean import RecleanReport, RecleanSelection, reclean
from scraper.reclean.clean import clean_page
from scraper.reclean.read import iter_jobs
from scraper.records import FetchAttempt
from scraper.storage import Store, open_store
from scraper.storage.archive import RawPage, unpack


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


def single_core(pages: list[tuple[str, bytes]], repeats: int = 3) -> tuple[float, float]:
    """Pages per second of ``extract`` in this process: (wall clock, CPU time).

    The best of ``repeats`` passes, as ``timeit`` reports: the machine's own rate,
    so that a slow moment does not flatter the ratios against it.
    """
    headers = dict(HEADERS)
    cleaners.extract(pages[0][1])  # imports and first-call set-up are not per-page cost
    wall = cpu = float("inf")
    for _ in range(repeats):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        for url, body in pages:
            cleaners.extract(body, url, headers=headers)
        wall = min(wall, time.perf_counter() - wall_start)
        cpu = min(cpu, time.process_time() - cpu_start)
    return len(pages) / wall, len(pages) / cpu


@dataclass(frozen=True, slots=True)
class Pass:
    """One reclean run, timed from outside."""

    report: RecleanReport
    steady: float  # pages/s from the first written batch to the last
    main_cpu: float  # CPU seconds of this (the main) process per page
    worker_cpu: float  # CPU seconds a worker spends per page, measured in-process
    extract_cpu: float  # CPU seconds of plain ``extract`` per page, interleaved with the above
    pool_cpu: float  # CPU seconds the real worker processes spent per page in the steady state
    steady_cores: float  # cores the whole machine kept busy in the steady state

    def model(self, cores: int) -> float:
        """Pages/s on ``cores`` otherwise idle cores: all the CPU work spread over them."""
        return cores / (self.worker_cpu + self.main_cpu)

    @property
    def model_ratio(self) -> float:
        """The modelled rate over the single-core ``extract`` rate on the same pages."""
        return self.model(2) * self.extract_cpu


def timed_reclean(store: Store, workers: int, sample: int | None) -> Pass:
    # The work of one worker, timed in this process (same jobs, same code), page by page
    # alternating with plain extract, so that machine load weighs on both alike.
    jobs = list(islice(iter_jobs(store, RecleanSelection(), cleaners.__version__), sample))
    headers = dict(HEADERS)
    worker_cpu = extract_cpu = 0.0
    for job in jobs:
        start = time.process_time()
        cleaners.extract(unpack(job.codec, job.body, job.headers).body, job.url, headers=headers)
        middle = time.process_time()
        clean_page(cleaners.extract, job)
        worker_cpu += time.process_time() - middle
        extract_cpu += middle - start

    marks: list[tuple[float, int, float, float]] = []

    def mark(report: RecleanReport) -> None:
        # The pool's processes descend from a forkserver, our child: read them in /proc.
        pool = sum(cpu_seconds(pid) for pid in descendants(os.getpid()))
        marks.append((time.perf_counter(), report.pages, machine_busy_seconds(), pool))

    cpu = time.process_time()
    report = reclean(store, workers=workers, on_progress=mark)
    main_cpu = (time.process_time() - cpu) / report.pages
    (first_time, first_pages, first_busy, first_pool) = marks[0]
    (last_time, last_pages, last_busy, last_pool) = marks[-1]
    steady = (last_pages - first_pages) / (last_time - first_time)
    return Pass(
        report,
        steady,
        main_cpu,
        worker_cpu / len(jobs),
        extract_cpu / len(jobs),
        (last_pool - first_pool) / (last_pages - first_pages),
        (last_busy - first_busy) / (last_time - first_time),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--copies", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--sample", type=int, help="pages whose worker job is timed in-process (default: all)"
    )
    args = parser.parse_args()

    load = os.getloadavg()[0]
    pages = load_pages(args.dataset)
    stored = copies_of(pages, args.copies)
    with tempfile.TemporaryDirectory() as scratch, open_store(f"{scratch}/bench.db") as store:
        fill(store, stored)
        wall_rate, cpu_rate = single_core(stored)
        changed = timed_reclean(store, args.workers, args.sample)
        unchanged = timed_reclean(store, args.workers, args.sample)

    print(f"pages: {len(pages)} in the dataset, {len(stored)} archived ({args.copies} copies)")
    print(f"load average at start: {load:.1f} (figures on the wall clock need an idle machine)")
    print(f"pass 1 (every text changes): {changed.report.summary()}")
    print(f"pass 2 (same cleaner again): {unchanged.report.summary()}")
    print()
    print("| measure | pages/s | × single core |")
    print("|---|---:|---:|")
    print(f"| extract, 1 core, wall clock | {wall_rate:.1f} | 1.00 |")
    print(f"| extract, 1 core, CPU time | {cpu_rate:.1f} | {cpu_rate / wall_rate:.2f} |")
    for name, run in (("pass 1", changed), ("pass 2", unchanged)):
        rate = run.report.pages_per_second
        print(
            f"| reclean {name}, {args.workers} workers, end to end | {rate:.1f} "
            f"| {rate / wall_rate:.2f} |"
        )
        print(
            f"| reclean {name}, steady state ({run.steady_cores:.2f} cores busy)"
            f" | {run.steady:.1f} | {run.steady / wall_rate:.2f} |"
        )
        print(
            f"| reclean {name}, CPU model on 2 idle cores | {run.model(2):.1f} "
            f"| {run.model_ratio:.2f} (vs extract CPU, same pages) |"
        )
    print()
    print(
        "| CPU per page (ms) | extract, interleaved | reclean worker, in-process"
        " | worker processes, steady state | reclean main |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, run in (("pass 1", changed), ("pass 2", unchanged)):
        print(
            f"| {name} | {1000 * run.extract_cpu:.1f} | {1000 * run.worker_cpu:.1f} "
            f"| {1000 * run.pool_cpu:.1f} | {1000 * run.main_cpu:.1f} |"
        )


if __name__ == "__main__":
    main()
