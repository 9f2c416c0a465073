"""Workers sharing one frontier: host turns, lease expiry and renewal, robots.txt, discovery times.

Each test runs on SQLite and on PostgreSQL (``db_url``); two ``Frontier`` objects
with different owners play two workers.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fake_clock import T0, Clock
from sqlalchemy import text

from scraper.crawl.coordination import StoredRobots, claim_due_sources, store_robots, stored_robots
from scraper.crawl.frontier import Frontier
from scraper.crawl.frontier_records import Discovered, Kind
from scraper.storage import Store, open_store

LEASE = 60.0
HOST = "a.example"


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


def worker(store: Store, clock: Clock, name: str) -> Frontier:
    return Frontier(store, clock=clock, lease_seconds=LEASE, owner=name)


def add_articles(frontier: Frontier, count: int, host: str = HOST) -> None:
    frontier.add(
        Discovered(f"http://{host}/2025/{n}/", host, "src", Kind.ARTICLE, 1) for n in range(count)
    )


def test_a_host_held_by_one_worker_is_neither_claimed_nor_offered_to_another(
    store: Store, clock: Clock
) -> None:
    first, second = worker(store, clock, "w1"), worker(store, clock, "w2")
    add_articles(first, 4)
    add_articles(first, 1, host="b.example")

    assert len(first.claim(HOST, 2)) == 2
    assert second.claim(HOST, 2) == []  # two URLs are still due, but the host is taken
    assert second.due_hosts() == ["b.example"]
    assert sorted(first.due_hosts()) == [HOST, "b.example"]

    ready = clock() + timedelta(seconds=5)
    first.release_host(HOST, ready)
    claims = second.claim(HOST, 5)
    assert len(claims) == 2
    assert {claim.host_ready_at for claim in claims} == {ready}  # the first one's delay holds


def test_a_claim_that_finds_nothing_leaves_the_host_free(store: Store, clock: Clock) -> None:
    first, second = worker(store, clock, "w1"), worker(store, clock, "w2")
    add_articles(first, 1, host="b.example")
    assert first.claim(HOST, 5) == []
    add_articles(first, 1)
    assert len(second.claim(HOST, 5)) == 1


def test_a_dead_workers_urls_and_host_come_back_when_the_lease_expires(
    store: Store, clock: Clock
) -> None:
    dead, alive = worker(store, clock, "dead"), worker(store, clock, "alive")
    add_articles(dead, 3)
    taken = {claim.url for claim in dead.claim(HOST, 3)}

    clock.advance(LEASE - 1)
    assert alive.claim(HOST, 3) == []
    clock.advance(2)
    assert {claim.url for claim in alive.claim(HOST, 3)} == taken


def test_renewing_keeps_a_live_workers_leases(store: Store, clock: Clock) -> None:
    busy, other = worker(store, clock, "busy"), worker(store, clock, "other")
    add_articles(busy, 3)
    busy.claim(HOST, 2)

    clock.advance(LEASE * 0.8)
    assert busy.renew_leases() == 2
    clock.advance(LEASE * 0.8)  # past the first lease, within the renewed one
    assert other.claim(HOST, 3) == []
    clock.advance(LEASE)
    assert len(other.claim(HOST, 3)) == 3


def test_robots_txt_fetched_by_one_worker_is_read_by_all(store: Store) -> None:
    fetched = StoredRobots(200, b"User-agent: *\nDisallow: /private/\n", T0)
    with store.write() as conn:
        store_robots(conn, HOST, fetched)
    with store.read() as conn:
        assert stored_robots(conn, HOST) == fetched
        assert stored_robots(conn, "b.example") is None
    unreachable = StoredRobots(None, None, T0 + timedelta(hours=1))
    with store.write() as conn:
        store_robots(conn, HOST, unreachable)
    with store.read() as conn:
        assert stored_robots(conn, HOST) == unreachable


def test_each_source_is_discovered_by_one_worker_per_interval(store: Store) -> None:
    interval = timedelta(minutes=5)
    names = ["alpha", "beta"]
    with store.write() as conn:
        assert claim_due_sources(conn, names, T0, interval) == names
    with store.write() as conn:
        assert claim_due_sources(conn, [*names, "gamma"], T0, interval) == ["gamma"]
    with store.write() as conn:
        later = T0 + interval
        assert claim_due_sources(conn, names, later, interval) == names


def test_postgresql_claims_skip_a_host_another_transaction_is_taking(
    postgres_url: str, clock: Clock
) -> None:
    """A claim never waits on a row lock: it skips the host and returns at once."""
    with open_store(postgres_url) as store:
        frontier = worker(store, clock, "w1")
        add_articles(frontier, 2)
        frontier.claim(HOST, 0)  # creates the host's row, claims nothing
        locked, release = threading.Event(), threading.Event()

        def hold_the_host_row() -> None:
            with store.write() as conn:
                conn.execute(
                    text("SELECT host FROM crawl_hosts WHERE host = :host FOR UPDATE"),
                    {"host": HOST},
                )
                locked.set()
                release.wait(30)

        holder = threading.Thread(target=hold_the_host_row)
        holder.start()
        try:
            assert locked.wait(30)
            assert worker(store, clock, "w2").claim(HOST, 2) == []
        finally:
            release.set()
            holder.join(30)
        assert len(worker(store, clock, "w2").claim(HOST, 2)) == 2


def test_one_batch_may_list_a_url_twice(store: Store, clock: Clock) -> None:
    """A page in both the feed and the sitemap: PostgreSQL refuses to upsert one row twice."""
    frontier = worker(store, clock, "w1")
    page = Discovered(f"http://{HOST}/2025/1/", HOST, "src", Kind.ARTICLE, 1)
    tracked = Discovered(f"http://{HOST}/2025/1/?utm_source=feed", HOST, "src", Kind.ARTICLE, 1)
    assert frontier.add([page, tracked, page]) == 1
    frontier.add_seeds([page, page])
    assert frontier.state_counts() == {"pending": 1}
