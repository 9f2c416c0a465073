"""The crawl frontier in the database: which URL is due, who holds it, what became of it.

A run claims due URLs of one host in a short transaction and gives each a lease;
when it is done with a URL it records the outcome. A run killed with kill -9
leaves leases behind, which are claimed again once they expire (or at once by
the next run on SQLite, which holds the run lock and so knows nobody else works).

Claiming is the one place that differs between databases: SQLite serialises
writers with ``BEGIN IMMEDIATE`` (every ``Store.write`` transaction starts so);
PostgreSQL lets several workers claim side by side with
``SELECT … FOR UPDATE SKIP LOCKED`` (see ``Frontier.claim``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Connection,
    Executable,
    Integer,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    update,
)

from scraper.crawl.coordination import (
    hosts_held_elsewhere,
    release_every_host,
    release_host,
    renew_hosts,
    take_host,
)
from scraper.crawl.frontier_records import Claim, Discovered, Kind, Outcome, State
from scraper.storage.database import dialect_insert
from scraper.storage.models import FrontierRow
from scraper.storage.store import Store
from scraper.urls import url_key
from scraper.workers.processes import worker_id

DEFAULT_LEASE_SECONDS = 300.0  # longer than a page's deadline plus its cleaning


def utc_now() -> datetime:
    return datetime.now(UTC)


class Frontier:
    """Frontier operations, each one short transaction in ``store``'s database."""

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime] = utc_now,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        owner: str | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._lease = timedelta(seconds=lease_seconds)
        self.owner = owner or worker_id()  # whose leases are whose, across workers

    def add(self, found: Iterable[Discovered]) -> int:
        """Insert URLs not seen before; revive done ones a sitemap says changed since.

        URLs are told apart by ``url_key``, so tracking parameters, ``www.`` or
        a trailing slash do not make a second entry for one page.

        Returns how many rows were inserted or revived.
        """
        rows = self._new_rows(found)
        if not rows:
            return 0
        with self._store.write() as conn:
            # RETURNING counts the rows inserted or revived on both databases, where an
            # executemany's rowcount is not reliable; each id comes back once.
            return len(conn.execute(_inserts(conn.dialect.name).add, rows).all())

    def add_seeds(self, seeds: Iterable[Discovered]) -> None:
        """Seeds (start pages, feeds, sitemaps) are read again on every run."""
        rows = self._new_rows(seeds)
        if rows:
            with self._store.write() as conn:
                conn.execute(_inserts(conn.dialect.name).add_seeds, rows)

    def mark_known(self, urls: Iterable[tuple[str, str, str]]) -> None:
        """Record (url, host, source) as done without fetching: a canonical URL already stored."""
        rows = []
        for url, host, source in urls:
            row = self._new_row(Discovered(url, host, source, Kind.ARTICLE))
            row["state"] = State.DONE
            rows.append(row)
        if rows:
            with self._store.write() as conn:
                conn.execute(_inserts(conn.dialect.name).add_known, rows)

    def release_leases(self, *, all_held: bool) -> int:
        """Put claimed URLs back to pending: expired leases, or every lease when ``all_held``.

        ``all_held`` is for a run that holds the run lock: any lease left is a dead run's.
        """
        condition = FrontierRow.state == State.IN_PROGRESS
        if not all_held:
            condition = and_(condition, FrontierRow.lease_expires_at < self._clock())
        stmt = (
            update(FrontierRow)
            .where(condition)
            .values(
                state=State.PENDING,
                lease_expires_at=None,
                lease_owner=None,
                updated_at=self._clock(),
            )
        )
        with self._store.write() as conn:
            if all_held:
                release_every_host(conn)
            return conn.execute(stmt).rowcount

    def renew_leases(self) -> int:
        """Extend the leases of every URL and host this worker holds; returns the URL count.

        A worker calls it while it works, so only a dead worker's leases expire.
        """
        until = self._clock() + self._lease
        with self._store.write() as conn:
            renew_hosts(conn, self.owner, until)
            held = conn.execute(
                update(FrontierRow)
                .where(
                    FrontierRow.lease_owner == self.owner, FrontierRow.state == State.IN_PROGRESS
                )
                .values(lease_expires_at=until)
            )
            return held.rowcount

    def release_host(self, host: str, ready_at: datetime | None) -> None:
        """Hand ``host`` back to the other workers; its next request waits until ``ready_at``."""
        with self._store.write() as conn:
            release_host(conn, host, self.owner, ready_at)

    def due_hosts(self, exclude: Iterable[str] = (), limit: int = 1000) -> list[str]:
        """Hosts with a URL due now, outside ``exclude`` and the hosts other workers hold."""
        now = self._clock()
        stmt = (
            select(FrontierRow.host)
            .where(
                self._is_due(now), FrontierRow.host.not_in(hosts_held_elsewhere(self.owner, now))
            )
            .group_by(FrontierRow.host)
            .order_by(func.min(FrontierRow.next_attempt_at))
            .limit(limit)
        )
        excluded = list(exclude)
        if excluded:
            stmt = stmt.where(FrontierRow.host.not_in(excluded))
        with self._store.read() as conn:
            return list(conn.scalars(stmt))

    def claim(self, host: str, limit: int) -> list[Claim]:
        """Lease up to ``limit`` due URLs of ``host``, and the host: seeds first, then by due time.

        The host is taken in the same transaction (``scraper.crawl.coordination``): while
        this worker holds it no other worker claims its URLs, so requests to
        one host never overlap; ``Claim.host_ready_at`` says when the previous
        holder's delay ends. Nothing is claimed while another worker holds it.

        On PostgreSQL the rows are locked by ``FOR UPDATE SKIP LOCKED``, so
        workers claiming at the same moment skip each other's rows; SQLAlchemy
        leaves the clause out on SQLite, where ``BEGIN IMMEDIATE`` already
        keeps every other writer out until the claim commits.
        """
        now = self._clock()
        pick = (
            select(FrontierRow.id)
            .where(FrontierRow.host == host, self._is_due(now))
            .order_by(FrontierRow.depth, FrontierRow.next_attempt_at, FrontierRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        with self._store.write() as conn:
            turn = take_host(conn, host, self.owner, now, self._lease)
            if turn is None:
                return []
            ids = list(conn.scalars(pick))
            if not ids:
                if not turn.already_held:  # taken for nothing: the gap it keeps is unchanged
                    release_host(conn, host, self.owner, None)
                return []
            conn.execute(
                update(FrontierRow)
                .where(FrontierRow.id.in_(ids))
                .values(
                    state=State.IN_PROGRESS,
                    attempts=FrontierRow.attempts + 1,
                    lease_expires_at=now + self._lease,
                    lease_owner=self.owner,
                    updated_at=now,
                )
            )
            rows = conn.execute(
                select(
                    FrontierRow.id,
                    FrontierRow.url,
                    FrontierRow.host,
                    FrontierRow.source,
                    FrontierRow.kind,
                    FrontierRow.depth,
                    FrontierRow.attempts,
                    FrontierRow.etag,
                    FrontierRow.last_modified,
                )
                .where(FrontierRow.id.in_(ids))
                .order_by(FrontierRow.depth, FrontierRow.next_attempt_at, FrontierRow.id)
            )
            return [Claim(*row, host_ready_at=turn.ready_at) for row in rows]

    def finish(self, outcomes: Sequence[Outcome], conn: Connection | None = None) -> None:
        """Record outcomes; in ``conn``'s transaction when given, else in a new one."""
        if not outcomes:
            return
        if conn is None:
            with self._store.write() as own:
                self._finish(own, outcomes)
        else:
            self._finish(conn, outcomes)

    def state_counts(self) -> dict[str, int]:
        stmt = select(FrontierRow.state, func.count()).group_by(FrontierRow.state)
        with self._store.read() as conn:
            return {state: count for state, count in conn.execute(stmt)}

    def next_due_at(self) -> datetime | None:
        """When the earliest pending URL becomes due."""
        stmt = select(func.min(FrontierRow.next_attempt_at)).where(
            FrontierRow.state == State.PENDING
        )
        with self._store.read() as conn:
            return conn.scalar(stmt)

    def _finish(self, conn: Connection, outcomes: Sequence[Outcome]) -> None:
        now = self._clock()
        rows = [
            {
                "row_id": item.id,
                "new_state": State.PENDING if item.retry_at is not None else item.state,
                "new_outcome": item.outcome,
                "new_error_kind": item.error_kind,
                "now": now,
                "retry_at": item.retry_at,
                "refund": 1 if item.keep_attempts else 0,
                "has_validators": item.etag is not None or item.last_modified is not None,
                "new_etag": item.etag,
                "new_last_modified": item.last_modified,
                "new_canonical_url": item.canonical_url,
            }
            for item in outcomes
        ]
        conn.execute(_FINISH, rows)

    def _is_due(self, now: datetime | None = None) -> ColumnElement[bool]:
        now = now or self._clock()
        return or_(
            and_(FrontierRow.state == State.PENDING, FrontierRow.next_attempt_at <= now),
            and_(FrontierRow.state == State.IN_PROGRESS, FrontierRow.lease_expires_at < now),
        )

    def _new_rows(self, found: Iterable[Discovered]) -> list[dict[str, object]]:
        """One row per URL key, the first found: PostgreSQL refuses an upsert that
        touches one row twice (a page listed by both the feed and the sitemap)."""
        rows: dict[object, dict[str, object]] = {}
        for item in found:
            row = self._new_row(item)
            rows.setdefault(row["url_key"], row)
        return list(rows.values())

    def _new_row(self, item: Discovered) -> dict[str, object]:
        now = self._clock()
        return {
            "url": item.url,
            "url_key": url_key(item.url),
            "host": item.host,
            "source": item.source,
            "kind": item.kind,
            "depth": item.depth,
            "state": State.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "discovered_at": now,
            "updated_at": now,
            "lastmod": item.lastmod,
        }


# One UPDATE for every outcome, run as an executemany: the optional columns keep
# their value where the outcome leaves them unset.
_FINISH = (
    update(FrontierRow)
    .where(FrontierRow.id == bindparam("row_id"))
    .values(
        state=bindparam("new_state"),
        outcome=bindparam("new_outcome"),
        error_kind=bindparam("new_error_kind"),
        lease_expires_at=None,
        lease_owner=None,
        updated_at=bindparam("now"),
        next_attempt_at=func.coalesce(bindparam("retry_at"), FrontierRow.next_attempt_at),
        attempts=FrontierRow.attempts - bindparam("refund", type_=Integer),
        etag=case(
            (bindparam("has_validators", type_=Boolean), bindparam("new_etag")),
            else_=FrontierRow.etag,
        ),
        last_modified=case(
            (bindparam("has_validators", type_=Boolean), bindparam("new_last_modified")),
            else_=FrontierRow.last_modified,
        ),
        canonical_url=func.coalesce(bindparam("new_canonical_url"), FrontierRow.canonical_url),
    )
)


@dataclass(frozen=True, slots=True)
class _Inserts:
    """The frontier's INSERTs in one dialect, built once: each runs with a list of rows."""

    add: Executable  # RETURNING the id of each row inserted or revived
    add_seeds: Executable
    add_known: Executable


@cache
def _inserts(dialect: str) -> _Inserts:
    insert = dialect_insert(dialect, FrontierRow.__table__)
    excluded = insert.excluded
    add = insert.on_conflict_do_update(
        index_elements=["url_key"],
        set_={
            "state": State.PENDING,
            "attempts": 0,
            "lastmod": excluded.lastmod,
            "next_attempt_at": excluded.next_attempt_at,
            "updated_at": excluded.updated_at,
        },
        where=and_(
            FrontierRow.state == State.DONE,
            excluded.lastmod.is_not(None),
            # Changed after we fetched it (updated_at of a done row).
            FrontierRow.updated_at < excluded.lastmod,
        ),
    )
    add_seeds = insert.on_conflict_do_update(
        index_elements=["url_key"],
        set_={
            "state": State.PENDING,
            "attempts": 0,
            "kind": excluded.kind,
            "depth": 0,
            "source": excluded.source,
            "next_attempt_at": excluded.next_attempt_at,
            "updated_at": excluded.updated_at,
        },
        where=FrontierRow.state != State.IN_PROGRESS,
    )
    return _Inserts(
        add=add.returning(FrontierRow.id),
        add_seeds=add_seeds,
        add_known=insert.on_conflict_do_nothing(),
    )
