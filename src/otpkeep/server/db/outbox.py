"""The ``outbox_messages`` table and its statements: add, claim, settle, release, purge.

A row is *due* while ``next_attempt_at`` is set and has passed, and no unexpired lease
(``claimed_until``) holds it. A body is sealed under the outbox key before it is added
(``sealed``; rows from before sealing existed hold the message as it is). A sender
claims due rows by setting a lease and committing,
delivers them outside any transaction, then settles each row: *sent* (``sent_at`` set,
``body`` removed) or *failed* (``attempts`` + 1 and a later ``next_attempt_at``, or, after
:data:`MAX_ATTEMPTS` or a permanent refusal, no further attempt and the body removed).
A row the sender holds and will not try (its batch was cut short) is *released*: its lease
is given back, so that any sender can claim it at once rather than when the lease ends.

On PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED`` followed by the lease
update, so several workers never hold the same row; on SQLite it is one
``UPDATE ... RETURNING`` statement, which SQLite runs as the only writer.
"""

from __future__ import annotations

import uuid  # noqa: TC003 - SQLAlchemy reads the annotations at runtime
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from sqlalchemy import (
    Boolean,
    Integer,
    LargeBinary,
    String,
    Uuid,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from otpkeep.server.db.base import Base, UTCDateTime

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session

MAX_ATTEMPTS: Final = 10
BACKOFF: Final = (
    timedelta(seconds=5),
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
)
LEASE: Final = timedelta(minutes=5)
When = UTCDateTime()


class OutboxMessage(Base):
    """One message waiting for delivery, or delivered (then without its body)."""

    __tablename__ = "outbox_messages"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    template: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(When)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(When, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(When)
    sent_at: Mapped[datetime | None] = mapped_column(When)
    last_error: Mapped[str | None] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"OutboxMessage(id={self.id}, template={self.template!r}, attempts={self.attempts})"


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    """A row a sender holds the lease of, detached from any session."""

    id: uuid.UUID
    message_id: str
    template: str
    recipient: str
    body: bytes
    sealed: bool
    attempts: int
    lease: datetime

    def __repr__(self) -> str:
        return f"ClaimedMessage(id={self.id}, template={self.template!r})"


def add(  # noqa: PLR0913 - one keyword per column the caller decides
    db: Session,
    *,
    row_id: uuid.UUID,
    message_id: str,
    template: str,
    recipient: str,
    subject: str,
    body: bytes,
    now: datetime,
) -> None:
    """Add a message (its body sealed by the caller), due at once, in the caller's transaction."""
    now = aware_utc(now)
    db.add(
        OutboxMessage(
            id=row_id,
            message_id=message_id,
            template=template,
            recipient=recipient,
            subject=subject,
            body=body,
            sealed=True,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
    )


def claim(db: Session, *, now: datetime, limit: int = 20) -> list[ClaimedMessage]:
    """Lease up to ``limit`` due rows to the caller and commit; they are its to deliver."""
    now = aware_utc(now)
    lease = now + LEASE
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.next_attempt_at.is_not(None),
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now),
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(limit)
    )
    if db.get_bind().dialect.name == "postgresql":
        locked = list(db.scalars(due.with_for_update(skip_locked=True)))
        if not locked:
            db.commit()
            return []
        chosen = OutboxMessage.id.in_(locked)
    else:
        chosen = OutboxMessage.id.in_(due)
    rows = db.execute(
        update(OutboxMessage)
        .where(chosen)
        .values(claimed_until=lease)
        .returning(
            OutboxMessage.id,
            OutboxMessage.message_id,
            OutboxMessage.template,
            OutboxMessage.recipient,
            OutboxMessage.body,
            OutboxMessage.sealed,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    db.commit()
    return [
        ClaimedMessage(
            id=row.id,
            message_id=row.message_id,
            template=row.template,
            recipient=row.recipient,
            body=row.body,
            sealed=bool(row.sealed),
            attempts=row.attempts,
            lease=lease,
        )
        for row in rows
        if row.body is not None
    ]


def mark_sent(db: Session, claimed: ClaimedMessage, *, now: datetime) -> None:
    """Record a delivery and remove the body, which may hold a code."""
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed.id, OutboxMessage.sent_at.is_(None))
        .values(
            sent_at=aware_utc(now),
            body=None,
            next_attempt_at=None,
            claimed_until=None,
            last_error=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.commit()


def mark_failed(
    db: Session, claimed: ClaimedMessage, *, now: datetime, error: str, permanent: bool = False
) -> datetime | None:
    """Record a failed attempt; return when the next one is due, or None if there is none."""
    attempts = claimed.attempts + 1
    retry_at = None if permanent or attempts >= MAX_ATTEMPTS else aware_utc(now) + backoff(attempts)
    db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == claimed.id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.claimed_until == claimed.lease,
        )
        .values(
            attempts=attempts,
            next_attempt_at=retry_at,
            claimed_until=None,
            last_error=error[:64],
            **({} if retry_at else {"body": None}),
        )
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return retry_at


def release(db: Session, held: Iterable[ClaimedMessage]) -> int:
    """Give back the leases the caller still holds on ``held``; return how many it held."""
    released = 0
    for claimed in held:
        result = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == claimed.id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.claimed_until == claimed.lease,
            )
            .values(claimed_until=None)
            .execution_options(synchronize_session=False)
        )
        released += int(getattr(result, "rowcount", 0))
    db.commit()
    return released


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 5 s, 30 s, 2 min, 10 min, then 1 h."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def purge(db: Session, *, before: datetime) -> int:
    """Delete rows settled (sent or given up) before ``before``; return how many."""
    before = aware_utc(before)
    result = db.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.next_attempt_at.is_(None),
            OutboxMessage.created_at < before,
            or_(OutboxMessage.sent_at.is_(None), OutboxMessage.sent_at < before),
        )
        .execution_options(synchronize_session=False)
    )
    db.commit()
    return int(getattr(result, "rowcount", 0))


def count_by_state(engine: Engine) -> dict[str, int]:
    """How many rows are ``waiting``, ``sent`` and ``given_up``; a state with none is absent."""
    state = case(
        (OutboxMessage.sent_at.is_not(None), "sent"),
        (OutboxMessage.next_attempt_at.is_not(None), "waiting"),
        else_="given_up",
    )
    with engine.connect() as connection:
        rows = connection.execute(select(state, func.count()).group_by(state)).all()
    return {str(name): int(number) for name, number in rows}


def aware_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is refused, since its zone is unknown."""
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return moment.astimezone(UTC)
