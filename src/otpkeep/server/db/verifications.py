"""Statements on verification codes: each try is taken by one atomic UPDATE."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, update

from otpkeep.server.db.tables import VerificationRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session


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


def purge(db: Session, *, before: dt.datetime) -> int:
    """Forget verifications that expired before ``before``; how many."""
    result = db.execute(delete(VerificationRow).where(VerificationRow.expires_at < before))
    return int(getattr(result, "rowcount", 0))


def remove_for_email(db: Session, email: str) -> None:
    """Delete every verification of ``email`` (the account is being deleted)."""
    db.execute(delete(VerificationRow).where(VerificationRow.email == email))
