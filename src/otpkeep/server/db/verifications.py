"""Statements on verification codes: each try is taken by one atomic UPDATE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update

from otpkeep.protocol.kinds import Delivery as MailState
from otpkeep.server.db.outbox import OutboxMessage
from otpkeep.server.db.tables import VerificationRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session


PURGED = -1
"""The tries of an outbox message that is no longer there (the outer join found none)."""


@dataclass(frozen=True)
class Delivery:
    """What became of a verification's mail, and after how many tries."""

    state: MailState
    attempts: int


@dataclass(frozen=True)
class TakenTry:
    """What a try on a live code may compare against."""

    code_hash: bytes
    attempts_left: int


def add(db: Session, row: VerificationRow) -> None:
    """Store a new verification."""
    db.add(row)


def get(db: Session, verification_id: uuid.UUID) -> VerificationRow | None:
    """The verification ``verification_id``, live or not."""
    return db.get(VerificationRow, verification_id)


def take_try(db: Session, verification_id: uuid.UUID, *, now: dt.datetime) -> TakenTry | None:
    """Spend one try of a live code (unused, unexpired, tries left); None if there is none."""
    row = db.execute(
        update(VerificationRow)
        .where(
            VerificationRow.id == verification_id,
            VerificationRow.attempts_left > 0,
            VerificationRow.used_at.is_(None),
            VerificationRow.expires_at > now,
        )
        .values(attempts_left=VerificationRow.attempts_left - 1)
        .returning(VerificationRow.code_hash, VerificationRow.attempts_left)
    ).one_or_none()
    if row is None:
        return None
    return TakenTry(code_hash=row.code_hash, attempts_left=row.attempts_left)


def mark_used(db: Session, verification_id: uuid.UUID, *, now: dt.datetime) -> bool:
    """Use the code up; False if another request used it first."""
    result = db.execute(
        update(VerificationRow)
        .where(VerificationRow.id == verification_id, VerificationRow.used_at.is_(None))
        .values(used_at=now)
        .returning(VerificationRow.id)
    ).one_or_none()
    return result is not None


def delivery(db: Session, verification_id: uuid.UUID) -> Delivery | None:
    """What became of the code's mail; None when there is no such verification."""
    row = db.execute(
        select(
            OutboxMessage.sent_at,
            OutboxMessage.next_attempt_at,
            func.coalesce(OutboxMessage.attempts, PURGED),
            VerificationRow.outbox_id,
        )
        .select_from(VerificationRow)
        .outerjoin(OutboxMessage, OutboxMessage.id == VerificationRow.outbox_id)
        .where(VerificationRow.id == verification_id)
    ).one_or_none()
    if row is None:
        return None
    sent_at, next_attempt_at, attempts, outbox_id = row
    if outbox_id is None:
        return Delivery(state=MailState.QUEUED, attempts=0)  # made before it was recorded
    if attempts == PURGED:  # settled long ago and purged: the code has long expired too
        return Delivery(state=MailState.SENT, attempts=0)
    if sent_at is not None:
        return Delivery(state=MailState.SENT, attempts=attempts)
    if attempts > 0 and next_attempt_at is None:
        return Delivery(state=MailState.FAILED, attempts=attempts)
    return Delivery(state=MailState.QUEUED, attempts=attempts)


def purge(db: Session, *, before: dt.datetime) -> int:
    """Forget verifications that expired before ``before``; how many."""
    result = db.execute(delete(VerificationRow).where(VerificationRow.expires_at < before))
    return int(getattr(result, "rowcount", 0))


def remove_for_email(db: Session, email: str) -> None:
    """Delete every verification of ``email`` (the account is being deleted)."""
    db.execute(delete(VerificationRow).where(VerificationRow.email == email))
