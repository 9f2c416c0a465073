"""The database frontier: inserts, claims with leases, outcomes, and claims from two processes."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from fake_clock import T0, Clock

from scraper.crawl.frontier import Frontier
from scraper.crawl.frontier_records import Discovered, Kind, Outcome, State
from scraper.storage import Store, open_store


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A fresh store on each dialect: a SQLite file, then a PostgreSQL database."""
    with open_store(db_url) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def frontier(store: Store, clock: Clock) -> Frontier:
    return Frontier(store, clock=clock, lease_seconds=60)


def article(n: int, host: str = "a.example", lastmod: datetime | None = None) -> Discovered:
    return Discovered(f"http://{host}/2025/{n}/", host, "src", Kind.ARTICLE, 1, lastmod)


def test_known_urls_are_not_added_twice(frontier: Frontier) -> None:
    assert frontier.add([article(1), article(2)]) == 2
    assert frontier.add([article(2), article(3)]) == 1
    assert frontier.state_counts() == {State.PENDING: 3}


def test_variants_of_one_url_are_one_entry(frontier: Frontier) -> None:
    plain = Discovered("http://a.example/2025/x/", "a.example", "src", Kind.ARTICLE)
    tracked = Discovered(
        "http://www.a.example/2025/x?utm_source=home", "a.example", "src", Kind.ARTICLE
    )
    assert frontier.add([plain]) == 1
    assert frontier.add([tracked]) == 0
    assert [c.url for c in frontier.claim("a.example", 5)] == [plain.url]


def test_claims_lease_urls_of_one_host(frontier: Frontier) -> None:
    frontier.add([article(n) for n in range(5)] + [article(9, host="b.example")])
    assert frontier.due_hosts() in (["a.example", "b.example"], ["b.example", "a.example"])
    first = frontier.claim("a.example", 3)
    second = frontier.claim("a.example", 3)
    assert [c.url for c in first] == [f"http://a.example/2025/{n}/" for n in range(3)]
    assert len(second) == 2
    assert all(c.attempts == 1 for c in first + second)
    assert frontier.claim("a.example", 3) == []
    assert frontier.due_hosts() == ["b.example"]
    assert frontier.due_hosts(exclude=["b.example"]) == []


def test_seeds_are_claimed_before_deeper_urls(frontier: Frontier) -> None:
    frontier.add([article(1)])
    frontier.add_seeds([Discovered("http://a.example/", "a.example", "src", Kind.LISTING)])
    assert frontier.claim("a.example", 1)[0].kind == Kind.LISTING


def test_an_expired_lease_is_claimed_again(frontier: Frontier, clock: Clock) -> None:
    frontier.add([article(1)])
    assert len(frontier.claim("a.example", 5)) == 1
    clock.advance(30)
    assert frontier.claim("a.example", 5) == []
    clock.advance(31)
    again = frontier.claim("a.example", 5)
    assert len(again) == 1 and again[0].attempts == 2


def test_a_run_holding_the_lock_releases_every_lease(frontier: Frontier) -> None:
    frontier.add([article(1), article(2)])
    frontier.claim("a.example", 5)
    assert frontier.release_leases(all_held=False) == 0  # not expired yet
    assert frontier.release_leases(all_held=True) == 2
    assert frontier.state_counts() == {State.PENDING: 2}


def test_outcomes_done_failed_and_retry_later(frontier: Frontier, clock: Clock) -> None:
    frontier.add([article(1), article(2), article(3)])
    one, two, three = frontier.claim("a.example", 3)
    frontier.finish(
        [
            Outcome(one.id, State.DONE, "new", canonical_url="http://a.example/canon/"),
            Outcome(two.id, State.FAILED, "failed", "http_status"),
            Outcome(three.id, State.PENDING, "retry", "timeout", retry_at=T0 + timedelta(hours=1)),
        ]
    )
    assert frontier.state_counts() == {State.DONE: 1, State.FAILED: 1, State.PENDING: 1}
    assert frontier.claim("a.example", 5) == []  # the retry is not due yet
    assert frontier.next_due_at() == T0 + timedelta(hours=1)
    clock.advance(3600)
    retried = frontier.claim("a.example", 5)
    assert [c.url for c in retried] == [three.url] and retried[0].attempts == 2


def test_a_done_url_comes_back_only_when_changed_after_its_fetch(
    frontier: Frontier, clock: Clock
) -> None:
    before, after = T0 - timedelta(days=1), T0 + timedelta(hours=2)
    frontier.add([article(1, lastmod=before)])
    (claim,) = frontier.claim("a.example", 1)
    frontier.finish([Outcome(claim.id, State.DONE, "new")])  # fetched at T0
    clock.advance(3 * 3600)
    assert frontier.add([article(1, lastmod=before)]) == 0
    assert frontier.add([article(1)]) == 0
    assert frontier.add([article(1, lastmod=after)]) == 1
    assert frontier.state_counts() == {State.PENDING: 1}


def test_seeds_are_read_again_each_run_and_keep_their_validators(frontier: Frontier) -> None:
    feed = Discovered("http://a.example/feed/", "a.example", "src", Kind.FEED)
    frontier.add_seeds([feed])
    (claim,) = frontier.claim("a.example", 1)
    frontier.finish([Outcome(claim.id, State.DONE, "feed", etag='"v1"', last_modified="x")])
    frontier.add_seeds([feed])
    (again,) = frontier.claim("a.example", 1)
    assert (again.etag, again.last_modified) == ('"v1"', "x")


def test_known_canonical_urls_are_recorded_as_done(frontier: Frontier) -> None:
    frontier.mark_known([("http://a.example/canon/", "a.example", "src")])
    assert frontier.add([Discovered("http://a.example/canon/", "a.example", "src", "article")]) == 0
    assert frontier.state_counts() == {State.DONE: 1}


def _claim_all(db: str, host: str, queue: multiprocessing.Queue) -> None:
    with open_store(db) as store:
        frontier = Frontier(store)
        claimed: list[str] = []
        while batch := frontier.claim(host, 3):
            claimed += [c.url for c in batch]
        queue.put(claimed)


def test_two_processes_never_claim_the_same_url(db_url: str) -> None:
    db = db_url
    with open_store(db) as store:
        Frontier(store).add([article(n) for n in range(300)])
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_claim_all, args=(db, "a.example", queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(60)
    claimed = results[0] + results[1]
    assert len(claimed) == 300
    assert len(set(claimed)) == 300
