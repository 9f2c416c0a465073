"""Read each host's latest fetches from the database, as ``scraper.outputs.health`` records.

One indexed query per host (``ix_fetches_host_fetched_at``, newest first, at most
``HISTORY_FETCHES``), so the cost follows the number of hosts, not the size of the
fetch log. The same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from cleaners import Reason
from scraper.outputs.health import Fetch, HostHistory
from scraper.storage.models import ArticleRow, FetchRow
from scraper.storage.store import Store

# Enough for a stable baseline of a host that publishes a few dozen articles a day,
# and the change of the last days on top; more would only dilute a recent change.
HISTORY_FETCHES = 500

_fetches = FetchRow.__table__
_articles = ArticleRow.__table__

_REASONS = frozenset(
    value for name, value in vars(Reason).items() if name.isupper() and isinstance(value, str)
)
_WORD = re.compile(r"[a-z_]+")

_HOSTS = select(_fetches.c.host).where(_fetches.c.host.is_not(None)).group_by(_fetches.c.host)
_HOST_FETCHES = (
    select(
        _fetches.c.fetched_at,
        _fetches.c.error_kind,
        _fetches.c.status,
        _fetches.c.error_message,
        _articles.c.word_count,
        _fetches.c.boilerplate_share,
    )
    .select_from(_fetches.outerjoin(_articles, _articles.c.id == _fetches.c.article_id))
    .where(_fetches.c.host == bindparam("host"))
    .order_by(_fetches.c.fetched_at.desc(), _fetches.c.id.desc())
    .limit(bindparam("limit"))
)


def read_histories(store: Store, limit: int = HISTORY_FETCHES) -> list[HostHistory]:
    """Every host's latest ``limit`` fetches, oldest first, hosts by name."""
    with store.read() as conn:
        hosts = sorted(conn.execute(_HOSTS).scalars())
        return [host_history(conn, host, limit) for host in hosts]


def host_history(conn: Connection, host: str, limit: int = HISTORY_FETCHES) -> HostHistory:
    rows = conn.execute(_HOST_FETCHES, {"host": host, "limit": limit}).all()
    return HostHistory(host, tuple(_fetch(*row) for row in reversed(rows)))


def empty_reason(message: str | None) -> str | None:
    """The cleaner's reason in the message of an ``empty`` fetch, e.g. ``consent_wall``.

    ``scrape`` and ``scrape crawl`` word the message differently
    ("no article text found (blocked)", "no article text (blocked)"); both name it.
    """
    for word in _WORD.findall(message or ""):
        if word in _REASONS:
            return word
    return None


def _fetch(
    at: datetime,
    error_kind: str | None,
    status: int | None,
    message: str | None,
    words: int | None,
    boilerplate_share: float | None,
) -> Fetch:
    return Fetch(
        at=at,
        error_kind=error_kind,
        status=status,
        reason=empty_reason(message) if error_kind is not None else None,
        words=words if error_kind is None else None,
        boilerplate_share=boilerplate_share,
    )
