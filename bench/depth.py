"""What the depth guard (``cleaners.markup.depth``) costs next to ``cleaners.extract``, and what
the deep pages of issue 16 cost now.

Usage::

    python bench/depth.py --dataset ../shared/bench/zyte

Every page of the dataset goes, in turn and in one process, through ``bound_depth`` as
``extract`` calls it (a page with at most ``SCAN_ABOVE_TAGS`` ``<`` is only counted),
through the full reading by ``cleaners.markup.nesting`` that a larger page gets, and through
``extract``; the clock is this process's CPU time, after one untimed warm-up call each.
Then each input of the issue's table goes through ``extract``: its time and reason.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from reclean import load_pages

import cleaners
from cleaners.markup.decode import decode_html
from cleaners.markup.depth import MAX_DEPTH, MAX_REOPENED, SCAN_ABOVE_TAGS, bound_depth
from cleaners.markup.nesting import OpenElements, TooDeep

ISSUE_TABLE = {
    "25,000 nested <div>": "<div>" * 25_000,
    "100,000 nested <div>": "<div>" * 100_000,
    "200,000 nested <div>": "<div>" * 200_000,
    "50,000 nested <span>": "<span>" * 50_000,
    "20,000 nested <table><tr><td>": "<table><tr><td>" * 20_000,
}
URL = "https://example.org/page"


def full_read(html: str) -> bool:
    """What ``bound_depth`` does with a page above ``SCAN_ABOVE_TAGS``: read it all."""
    try:
        OpenElements(stop_at=MAX_DEPTH, max_waiting=MAX_REOPENED).read(html)
    except TooDeep:
        return False
    return True


def timed_per_page(pages: list[str], steps: dict[str, Callable[[str], object]]) -> dict[str, float]:
    """CPU seconds each step spent on all ``pages``, the steps taking turns on each page."""
    for step in steps.values():
        step(pages[0])  # lazy loads (language model, date data) are not the page's work
    spent = dict.fromkeys(steps, 0.0)
    for page in pages:
        for name, step in steps.items():
            started = time.process_time()
            step(page)
            spent[name] += time.process_time() - started
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", type=Path, required=True)
    args = parser.parse_args()
    pages = [decode_html(data, None) for data in load_pages(args.dataset)]
    spent = timed_per_page(
        pages,
        {
            "bound_depth, as extract calls it": bound_depth,
            "full reading (pages above the gate)": full_read,
            "extract": lambda html: cleaners.extract(html, URL),
        },
    )
    scanned = sum(html.count("<") > SCAN_ABOVE_TAGS for html in pages)
    print(f"{len(pages)} pages, {scanned} above {SCAN_ABOVE_TAGS} '<' (read in full)\n")
    print("| step | µs/page | % of extract |\n|---|---:|---:|")
    for name, seconds in spent.items():
        share = 100 * seconds / spent["extract"]
        print(f"| {name} | {seconds / len(pages) * 1e6:,.0f} | {share:.1f} % |")
    print("\n| input | size | extract | reason |\n|---|---:|---:|---|")
    for name, html in ISSUE_TABLE.items():
        started = time.perf_counter()
        article = cleaners.extract(html.encode(), URL)
        elapsed = time.perf_counter() - started
        print(f"| {name} | {len(html) / 1e6:.1f} MB | {elapsed:.2f} s | {article.reason} |")


if __name__ == "__main__":
    main()
