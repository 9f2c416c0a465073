"""``scrape health`` and ``scrape report`` on a database of many hosts: time, memory, size.

Usage::

    python bench/health.py [--hosts 500] [--days 14] [--keep DIR]

Builds a scratch SQLite database: each host fetched 2 to 8 times a day (about 3 % of
fetches a 404, 5 % of articles near-copies of another host's story, four languages),
one host in fifty turned empty on the last day, as after a template change. Then runs
``scrape health`` and ``scrape report`` as a user would (one process each) and prints
their wall time, peak RSS, what health found and the size of the HTML file.

Wall times include starting Python and importing (``python -X importtime -m scraper``
shows about 1 s of it on an idle machine); they need an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from nlp_corpus import article_text, syndicated_copy

from cleaners import Article
from scraper.errors import FetchErrorKind
from scraper.records import FetchAttempt
from scraper.storage import PreparedSave, open_store, prepare_save

START = datetime(2026, 11, 1, tzinfo=UTC)
BROKEN_EVERY = 50  # one host in this many turns empty on the last day
LANGUAGES = ("fr", "fr", "en", "de")


def host_fetches(rng: random.Random, host: str, days: int, broken: bool) -> list[PreparedSave]:
    saves = []
    for day in range(days):
        for number in range(rng.randint(2, 8)):
            when = START + timedelta(days=day, minutes=20 * number)
            url = f"https://{host}/{day}/{number}"
            seed = rng.randrange(10**9)
            if broken and day == days - 1:
                kind, status, message = FetchErrorKind.EMPTY, 200, "no article text (no_content)"
            elif rng.random() < 0.03:
                kind, status, message = FetchErrorKind.HTTP_STATUS, 404, "HTTP 404"
            else:
                kind, status, message = None, 200, None
            attempt = FetchAttempt(url, when, url, status, error_kind=kind, error_message=message)
            if kind is not None:
                saves.append(prepare_save(attempt, None, ()))
            else:
                if rng.random() < 0.05:
                    text = syndicated_copy(article_text(seed % 40, 12), seed)
                else:
                    text = article_text(seed, rng.randint(3, 12))
                language = rng.choice(LANGUAGES)
                article = Article(text=text, url=url, title=f"Article {seed}", language=language)
                saves.append(prepare_save(attempt, article, [url]))
    return saves


def build(db: Path, hosts: int, days: int) -> int:
    rng = random.Random(1)
    fetches = 0
    with open_store(str(db)) as store:
        for number in range(hosts):
            saves = host_fetches(rng, f"site{number}.example", days, number % BROKEN_EVERY == 7)
            store.save_prepared_many(saves)
            fetches += len(saves)
    return fetches


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_scrape(folder: Path, *args: str) -> Run:
    """One ``scrape`` process: its wall time and its own peak RSS (wait4's rusage)."""
    out, err = folder / "stdout.txt", folder / "stderr.txt"
    started = time.perf_counter()
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "scraper", *args], stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        seconds, usage.ru_maxrss / 1024, process.returncode, out.read_text(), err.read_text()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=500)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--keep", type=Path, help="build the database and report here")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = options.keep or Path(scratch)
        db, html = folder / "bench-health.db", folder / "bench-health.html"
        started = time.perf_counter()
        fetches = build(db, options.hosts, options.days)
        print(
            f"database: {options.hosts} hosts, {options.days} days, {fetches:,} fetches, "
            f"{db.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - started:.0f} s"
        )
        health = run_scrape(folder, "health", "--db", str(db))
        report = run_scrape(folder, "report", "--db", str(db), "-o", str(html))
        for name, run, ok in (("health", health, (0, 3)), ("report", report, (0,))):
            if run.returncode not in ok:
                raise SystemExit(f"scrape {name} failed ({run.returncode}): {run.stderr}")
        print("\n| command | wall s | peak RSS MB | result |\n|---|---:|---:|---|")
        results = (
            ("scrape health", health, health.stdout.splitlines()[-1]),
            ("scrape report", report, f"{html.stat().st_size / 1e6:.1f} MB of HTML"),
        )
        for name, run, result in results:
            print(f"| {name} | {run.seconds:.1f} | {run.peak_mb:.0f} | {result} |")


if __name__ == "__main__":
    main()
