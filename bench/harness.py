"""What the benchmarks share: the synthetic site in a child process, and /proc readings.

CPU and memory are read from Linux's /proc, so that processes the benchmark did
not start itself (pool workers, crawl workers and their cleaners) are counted.
"""

from __future__ import annotations

import argparse
import os
import sys
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from synthetic_site import SyntheticSite, serve


def serve_site(hosts: list[str], articles: int, full_template: bool, pipe: Connection) -> None:
    """Serve a synthetic site until the parent sends on ``pipe``; its ports go back first.

    ``full_template``: articles in the whole tagDiv template, about 130 KB a page.
    """
    site = SyntheticSite(hosts, articles, full_template=full_template)
    site.generate_text()  # before the clock starts: a real site's CPU is not ours
    with serve(site):
        for host in hosts if full_template else ():
            site.chrome(host)  # needs the ports
        pipe.send(site.ports)
        pipe.recv()


def site_ports(pipe: Connection, timeout: float = 120.0) -> dict[str, int]:
    """The ports ``serve_site`` sends back; an error if it died before it could."""
    if not pipe.poll(timeout):
        raise SystemExit(f"the synthetic site did not start in {timeout:.0f} s")
    return pipe.recv()


def proc_bytes(path: str, field: str) -> int:
    """A ``kB`` field of a /proc status file in bytes; 0 once the process is gone."""
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                if line.startswith(field):
                    return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every living process below ``pid``."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                for child in children.read().split():
                    found += [int(child), *descendants(int(child))]
        except FileNotFoundError:
            continue
    return found


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """User + system CPU time of a running process; 0 once it is gone.

    ``reaped_children`` adds the time of its children that have ended and that it
    waited for (a forkserver's workers once their pool has shut down).
    """
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    ticks = sum(int(value) for value in fields[11 : 15 if reaped_children else 13])
    return ticks / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of ``pid`` and every living process below it."""
    return sum(cpu_seconds(each) for each in [pid, *descendants(pid)])


def machine_busy_seconds() -> float:
    """CPU time the whole machine spent busy (all cores, not idle or waiting on I/O)."""
    with open("/proc/stat", encoding="ascii") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def add_template_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--bare-pages",
        action="store_true",
        help="articles without the template's weight (8 KB pages instead of about 130 KB)",
    )
