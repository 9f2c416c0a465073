"""Scale-out benchmark: pages/s with 1, 2 and 4 ``scrape crawl --forever`` workers on PostgreSQL.

Each round starts a fresh database in a throwaway cluster (``tests/pg.py``), the
workers as real processes (one cleaning process each), and waits until every
article of a synthetic site on many loopback hosts (delay 0, so politeness is
not the limit) is stored. Prints, per worker count: articles/s from the first
stored article to the last, the speed-up over one worker, and the database's
own view: frontier claims per second, and how many sessions were waiting on a
lock (sampled from ``pg_stat_activity``); then how many cores the whole machine
kept busy (workers, PostgreSQL, the site server), articles per busy core-second
(flat or rising with more workers: coordination costs nothing measurable), and
the workers' own CPU per article. One worker is a fetching process and a
cleaning process, so it already keeps more than one core busy: on two cores the
speed-up from 1 to 2 workers is bounded by what that one worker leaves idle.

    python bench/workers.py                         # 40 hosts x 25 articles
    python bench/workers.py --hosts 20 --articles 10 --workers 1 2

Needs the PostgreSQL binaries (``apt-get install postgresql``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from harness import (
    add_template_option,
    machine_busy_seconds,
    serve_site,
    site_ports,
    tree_cpu_seconds,
)
from pg import PostgresCluster, unavailable_reason
from sqlalchemy import Engine, create_engine, text
from synthetic_site import SyntheticSite, loopback_hosts, sources_toml

from scraper.storage import open_store

SAMPLE_SECONDS = 0.25
ROUND_TIMEOUT = 900.0


@dataclass(frozen=True, slots=True)
class Round:
    workers: int
    articles: int
    seconds: float  # first stored article to last
    claims: int  # frontier rows leased, retries included
    lock_wait_mean: float  # sessions waiting on a lock, averaged over samples
    lock_wait_max: int
    machine_cpu: float  # CPU seconds of the whole machine over the same span
    workers_cpu: float  # CPU seconds of the workers and their cleaners
    database_cpu: float  # CPU seconds of PostgreSQL's processes

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else 0.0


def _sample(engine: Engine) -> tuple[int, int]:
    """(articles stored, sessions waiting on a lock) right now."""
    with engine.connect() as conn:
        articles = conn.execute(text("SELECT count(*) FROM articles")).scalar_one()
        waiting = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        ).scalar_one()
    return int(articles), int(waiting)


def run_round(cluster: PostgresCluster, sources: Path, workers: int, expected: int) -> Round:
    url = cluster.new_database()
    open_store(url).close()  # schema first: workers race on rows only
    command = [
        sys.executable, "-m", "scraper", "crawl", str(sources), "--db", url,
        "--forever", "--clean-workers", "1", "--discover-every", "3600",
        "--allow-private", "127.0.0.0/8", "--no-progress",
    ]  # fmt: skip
    processes = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    engine = create_engine(url)
    waits: list[int] = []
    first_at = last_at = None
    first_count = 0
    cpu_at_first = cpu_at_last = (0.0, 0.0, 0.0)
    try:
        deadline = time.monotonic() + ROUND_TIMEOUT
        while time.monotonic() < deadline:
            stored, waiting = _sample(engine)
            now = time.monotonic()
            if stored and first_at is None:
                first_at, first_count = now, stored
                cpu_at_first = _cpu_now(processes, cluster.server_pid)
            if first_at is not None:
                waits.append(waiting)
            if stored >= expected:
                last_at = now
                cpu_at_last = _cpu_now(processes, cluster.server_pid)
                break
            time.sleep(SAMPLE_SECONDS)
        with engine.connect() as conn:
            claims = conn.execute(text("SELECT coalesce(sum(attempts), 0) FROM frontier"))
            claimed = int(claims.scalar_one())
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(120)
        engine.dispose()
        cluster.drop_database(url)
    if first_at is None or last_at is None:
        raise SystemExit(f"{workers} workers: the site was not crawled in {ROUND_TIMEOUT:.0f} s")
    return Round(
        workers=workers,
        articles=expected - first_count,
        seconds=last_at - first_at,
        claims=claimed,
        lock_wait_mean=sum(waits) / len(waits) if waits else 0.0,
        lock_wait_max=max(waits, default=0),
        machine_cpu=cpu_at_last[0] - cpu_at_first[0],
        workers_cpu=cpu_at_last[1] - cpu_at_first[1],
        database_cpu=cpu_at_last[2] - cpu_at_first[2],
    )


def _cpu_now(processes: list[subprocess.Popen[bytes]], server: int) -> tuple[float, float, float]:
    """CPU seconds so far: the machine's busy time, the workers' (and their cleaners'),
    and PostgreSQL's (the workers' sessions stay open, so their backends are counted)."""
    workers = sum(tree_cpu_seconds(p.pid) for p in processes)
    return machine_busy_seconds(), workers, tree_cpu_seconds(server)


def print_table(rounds: list[Round]) -> None:
    base = rounds[0].rate / rounds[0].workers if rounds else 0.0
    print(
        f"{'workers':>7}  {'articles/s':>10}  {'speed-up':>8}  {'claims/s':>8}"
        f"  {'lock waits (mean / max)':>23}  {'cores busy':>10}  {'articles/core-s':>15}"
        f"  {'workers ms/article':>18}  {'PostgreSQL ms/article':>21}"
    )
    for item in rounds:
        speedup = item.rate / base if base else 0.0
        print(
            f"{item.workers:>7}  {item.rate:>10.1f}  {speedup:>7.2f}x"
            f"  {item.claims / item.seconds:>8.1f}"
            f"  {item.lock_wait_mean:>15.2f} / {item.lock_wait_max:<5}"
            f"  {item.machine_cpu / item.seconds:>10.2f}"
            f"  {item.articles / item.machine_cpu:>15.1f}"
            f"  {1000 * item.workers_cpu / item.articles:>18.1f}"
            f"  {1000 * item.database_cpu / item.articles:>21.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--articles", type=int, default=25, help="articles per host")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    add_template_option(parser)
    args = parser.parse_args()
    full_template = not args.bare_pages
    reason = unavailable_reason()
    if reason is not None:
        raise SystemExit(reason)

    receive, send = multiprocessing.Pipe()
    hosts = loopback_hosts(args.hosts)
    server = multiprocessing.Process(
        target=serve_site, args=(hosts, args.articles, full_template, send)
    )
    server.start()
    cluster = PostgresCluster().start()
    try:
        site = SyntheticSite(hosts, args.articles, full_template=full_template)
        site.ports = site_ports(receive)
        with tempfile.TemporaryDirectory() as scratch:
            sources = Path(scratch) / "sources.toml"
            sources.write_text(sources_toml(site, delay=0.0), encoding="utf-8")
            expected = len(site.all_article_urls())
            print(f"{expected} articles on {len(hosts)} hosts, delay 0, one cleaner per worker")
            rounds = [run_round(cluster, sources, n, expected) for n in args.workers]
        print_table(rounds)
    finally:
        cluster.stop()
        receive.send("stop")
        server.join(30)


if __name__ == "__main__":
    main()
