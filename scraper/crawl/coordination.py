"""What crawl workers share through the database: host turns, robots.txt, discovery times.

Several workers (processes, machines) can crawl one PostgreSQL database. They
agree through rows, never through memory:

* ``crawl_hosts``: a worker *takes* a host in the very transaction that claims
  the host's URLs (``scraper.crawl.frontier``), holds it under a lease while it
  fetches them one after the other, and *hands it back* with the time its
  delay allows the next request (``next_allowed_at``). Whoever takes the host
  next waits until then, so no two workers hit a host closer than its delay,
  and a killed worker's host comes free when its lease expires.
* the same row keeps the host's robots.txt, so it is fetched once per host
  and cache period, not once per worker.
* ``crawl_sources``: each source's next discovery time, claimed like a URL, so
  N workers do not all re-read every feed and sitemap.

Each function runs in the caller's transaction. Rows are taken with
``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLAlchemy leaves the clause out on
SQLite, where ``BEGIN IMMEDIATE`` already keeps other writers out.

Times are wall-clock UTC from the workers' own clocks: machines sharing a
database should run NTP (a skew of a second is a second off the delay).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, Select, and_, or_, select, update

from scraper.storage.database import dialect_insert
from scraper.storage.models import CrawlHostRow, CrawlSourceRow

_hosts = CrawlHostRow.__table__
_sources = CrawlSourceRow.__table__


@dataclass(frozen=True, slots=True)
class HostTurn:
    """A host this worker now holds: no request to it before ``ready_at``."""

    host: str
    ready_at: datetime | None
    already_held: bool  # taken in an earlier claim and not handed back since


@dataclass(frozen=True, slots=True)
class StoredRobots:
    """A host's robots.txt as some worker fetched it (``status`` None: no answer)."""

    status: int | None
    body: bytes | None
    fetched_at: datetime


# -- host turns -------------------------------------------------------------------


def take_host(
    conn: Connection, host: str, owner: str, now: datetime, lease: timedelta
) -> HostTurn | None:
    """Lease ``host`` to ``owner`` unless another live worker holds it (then None)."""
    conn.execute(dialect_insert(conn, _hosts).values(host=host).on_conflict_do_nothing())
    row = conn.execute(
        select(CrawlHostRow.next_allowed_at, CrawlHostRow.lease_owner)
        .where(CrawlHostRow.host == host, _is_free_for(owner, now))
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if row is None:  # held, or being taken by another worker this very moment
        return None
    conn.execute(
        update(CrawlHostRow)
        .where(CrawlHostRow.host == host)
        .values(lease_owner=owner, lease_expires_at=now + lease)
    )
    return HostTurn(host, row.next_allowed_at, already_held=row.lease_owner == owner)


def release_host(conn: Connection, host: str, owner: str, ready_at: datetime | None) -> None:
    """Hand ``host`` back; the next request to it, by anyone, waits until ``ready_at``."""
    values: dict[str, object] = {"lease_owner": None, "lease_expires_at": None}
    if ready_at is not None:
        values["next_allowed_at"] = ready_at
    conn.execute(
        update(CrawlHostRow)
        .where(CrawlHostRow.host == host, CrawlHostRow.lease_owner == owner)
        .values(values)
    )


def hosts_held_elsewhere(owner: str, now: datetime) -> Select[tuple[str]]:
    """The hosts another worker holds under a live lease (a subquery for ``due_hosts``)."""
    return select(CrawlHostRow.host).where(
        CrawlHostRow.lease_owner != owner, CrawlHostRow.lease_expires_at >= now
    )


def renew_hosts(conn: Connection, owner: str, until: datetime) -> None:
    """Extend the lease of every host ``owner`` holds (its URLs: ``Frontier.renew_leases``)."""
    conn.execute(
        update(CrawlHostRow).where(CrawlHostRow.lease_owner == owner).values(lease_expires_at=until)
    )


def release_every_host(conn: Connection) -> None:
    """Forget every host lease: for a run that holds the database's only run lock."""
    conn.execute(update(CrawlHostRow).values(lease_owner=None, lease_expires_at=None))


def _is_free_for(owner: str, now: datetime) -> ColumnElement[bool]:
    return or_(
        CrawlHostRow.lease_owner.is_(None),
        CrawlHostRow.lease_owner == owner,
        CrawlHostRow.lease_expires_at < now,
    )


# -- robots.txt ---------------------------------------------------------------------


def stored_robots(conn: Connection, host: str) -> StoredRobots | None:
    row = conn.execute(
        select(
            CrawlHostRow.robots_status, CrawlHostRow.robots_body, CrawlHostRow.robots_fetched_at
        ).where(CrawlHostRow.host == host, CrawlHostRow.robots_fetched_at.is_not(None))
    ).one_or_none()
    return None if row is None else StoredRobots(*row)


def store_robots(conn: Connection, host: str, robots: StoredRobots) -> None:
    values = {
        "robots_status": robots.status,
        "robots_body": robots.body,
        "robots_fetched_at": robots.fetched_at,
    }
    insert = dialect_insert(conn, _hosts).values(host=host, **values)
    conn.execute(insert.on_conflict_do_update(index_elements=["host"], set_=values))


# -- discovery schedule ---------------------------------------------------------------


def claim_due_sources(
    conn: Connection, names: Iterable[str], now: datetime, interval: timedelta
) -> list[str]:
    """The sources among ``names`` due for discovery; each is due again ``interval`` later.

    A source seen for the first time is due at once. Two workers asking at the
    same moment get disjoint answers.
    """
    wanted = sorted(set(names))
    if not wanted:
        return []
    rows = [{"name": name, "next_discovery_at": now} for name in wanted]
    conn.execute(dialect_insert(conn, _sources).values(rows).on_conflict_do_nothing())
    due = list(
        conn.scalars(
            select(CrawlSourceRow.name)
            .where(and_(CrawlSourceRow.name.in_(wanted), CrawlSourceRow.next_discovery_at <= now))
            .order_by(CrawlSourceRow.name)
            .with_for_update(skip_locked=True)
        )
    )
    if due:
        conn.execute(
            update(CrawlSourceRow)
            .where(CrawlSourceRow.name.in_(due))
            .values(next_discovery_at=now + interval, last_discovery_at=now)
        )
    return due
