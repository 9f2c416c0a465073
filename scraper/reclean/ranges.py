"""Id ranges that let several ``scrape reclean`` processes (machines) share one PostgreSQL run.

A run is named by the cleaner version and the selection, so the same command
started on several machines joins the same run. Its articles are cut into
ranges of consecutive ids, each a row of ``reclean_ranges``:

* a recleaner *claims* a range: the first one whose lease ran out before it was
  done (its recleaner died), else the next one above every range of the run,
  while any article id is left above them;
* every batch it writes records, in the same transaction, how far the range is
  done (``done_through``) and renews the lease. The update is also the fence:
  it matches only while this recleaner still owns the range, so if a slow one
  lost it to another, its batch rolls back instead of writing twice;
* a range taken over resumes after ``done_through``: no article is written twice.

A recleaner with nothing left to claim waits while other live recleaners hold
unfinished ranges, taking over any whose lease runs out, and ends when the run
is done. The finished ranges stay, and none reaches past the highest id at its
claim: the same command run again later covers only the articles stored since
(delete the run's rows to clean everything again).

Times come from each machine's clock: machines sharing a database should run NTP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update

from scraper.storage.database import dialect_insert
from scraper.storage.models import ArticleRow, RecleanRangeRow

DEFAULT_RANGE_SIZE = 1000  # ids per range: a few seconds to a minute of work
DEFAULT_RANGE_LEASE_SECONDS = 300.0  # a dead recleaner's range is taken over after this

_ranges = RecleanRangeRow.__table__
_articles = ArticleRow.__table__


@dataclass(frozen=True, slots=True)
class RangeClaim:
    """Who claims ranges of which run, how many ids at a time, for how long."""

    run: str
    owner: str
    size: int = DEFAULT_RANGE_SIZE
    lease: timedelta = timedelta(seconds=DEFAULT_RANGE_LEASE_SECONDS)


@dataclass(frozen=True, slots=True)
class IdRange:
    """Article ids ``first_id``..``last_id`` of a run; those up to ``done_through`` are written."""

    first_id: int
    last_id: int
    done_through: int


class RangeLost(Exception):
    """Another recleaner took this range over (our lease ran out): stop working on it."""


def claim_range(conn: Connection, claim: RangeClaim, now: datetime) -> IdRange | None:
    """Take a range of ``claim.run`` for ``claim.owner``; None when none is left to take."""
    values = {"owner": claim.owner, "lease_expires_at": now + claim.lease}
    abandoned = conn.execute(
        select(_ranges.c.first_id, _ranges.c.last_id, _ranges.c.done_through)
        .where(
            _ranges.c.run == claim.run,
            _ranges.c.done_through < _ranges.c.last_id,
            _ranges.c.lease_expires_at < now,
        )
        .order_by(_ranges.c.first_id)
        .limit(1)
        .with_for_update(skip_locked=True)
    ).one_or_none()
    if abandoned is not None:
        conn.execute(
            update(_ranges)
            .where(_ranges.c.run == claim.run, _ranges.c.first_id == abandoned.first_id)
            .values(**values)
        )
        return IdRange(*abandoned)
    while True:
        claimed = conn.execute(
            select(func.max(_ranges.c.last_id)).where(_ranges.c.run == claim.run)
        )
        first_id = (claimed.scalar_one() or 0) + 1
        highest = conn.execute(select(func.max(_articles.c.id))).scalar_one() or 0
        if first_id > highest:
            return None
        # Never past the highest id: articles stored later fall in a range of their own.
        fresh = IdRange(first_id, min(first_id + claim.size - 1, highest), first_id - 1)
        inserted = conn.execute(
            dialect_insert(conn, _ranges)
            .values(
                run=claim.run,
                first_id=fresh.first_id,
                last_id=fresh.last_id,
                done_through=fresh.done_through,
                **values,
            )
            .on_conflict_do_nothing()
            .returning(_ranges.c.first_id)
        ).scalar_one_or_none()
        if inserted is not None:
            return fresh
        # Another recleaner created this range first: read the top again.


def record_progress(
    conn: Connection, claim: RangeClaim, id_range: IdRange, done_through: int, now: datetime
) -> None:
    """Mark the range done up to ``done_through`` and renew the lease, in the caller's transaction.

    Raises ``RangeLost`` when the range is no longer ours: the caller's transaction
    must then roll back.
    """
    result = conn.execute(
        update(_ranges)
        .where(
            _ranges.c.run == claim.run,
            _ranges.c.first_id == id_range.first_id,
            _ranges.c.owner == claim.owner,
        )
        .values(done_through=done_through, lease_expires_at=now + claim.lease)
    )
    if result.rowcount != 1:
        raise RangeLost(f"range {id_range.first_id}-{id_range.last_id} of {claim.run}")


def next_lease_end(conn: Connection, claim: RangeClaim) -> datetime | None:
    """When the first lease on an unfinished range of the run ends; None when the run is done."""
    return conn.execute(
        select(func.min(_ranges.c.lease_expires_at)).where(
            _ranges.c.run == claim.run, _ranges.c.done_through < _ranges.c.last_id
        )
    ).scalar_one()
