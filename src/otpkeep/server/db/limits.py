"""The send limit: at most N sends per bucket in any sliding hour, under a row lock.

The bucket row is created if missing, then locked (``FOR UPDATE`` on PostgreSQL; SQLite
has one writer at a time), so concurrent requests from several processes take turns.
A bucket may also ask for a growing gap between its sends.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from otpkeep.server.db.tables import SendLimitRow

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from sqlalchemy.orm import Session

WINDOW_SECONDS = 3600.0


def take_send(
    db: Session,
    bucket: bytes,
    *,
    limit: int,
    now: dt.datetime,
    gap_after: Callable[[int], float] | None = None,
) -> float | None:
    """Count one send in ``bucket``; None if allowed, else seconds until one is allowed.

    ``gap_after(n)`` is the wait a bucket that sent ``n`` times this hour needs before
    the next send.
    """
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(insert(SendLimitRow).values(bucket=bucket, sent_at=[]).on_conflict_do_nothing())
    row = db.scalars(
        select(SendLimitRow).where(SendLimitRow.bucket == bucket).with_for_update()
    ).one()
    moment = now.timestamp()
    recent = sorted(sent for sent in row.sent_at if sent > moment - WINDOW_SECONDS)
    if len(recent) >= limit:
        return max(1.0, recent[len(recent) - limit] + WINDOW_SECONDS - moment)
    gap = gap_after(len(recent)) if gap_after is not None and recent else 0.0
    if gap and moment - recent[-1] < gap:
        return max(1.0, recent[-1] + gap - moment)
    row.sent_at = [*recent, moment]
    row.last_sent_at = now
    return None


def purge(db: Session, *, before: dt.datetime) -> int:
    """Forget buckets that sent nothing since ``before`` (the window has passed them by)."""
    result = db.execute(delete(SendLimitRow).where(SendLimitRow.last_sent_at < before))
    return int(getattr(result, "rowcount", 0))
