"""Statements on open OPRF evaluations: passcode registrations and recovery attempts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update

from otpkeep.server.db.tables import ChallengeRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session

REGISTRATION = "registration"
RECOVERY = "recovery"


def add(db: Session, row: ChallengeRow) -> None:
    """Store a new open challenge."""
    db.add(row)


def close(
    db: Session, challenge_id: uuid.UUID, *, kind: str, session_id: uuid.UUID, now: dt.datetime
) -> ChallengeRow | None:
    """Close the session's open challenge ``challenge_id`` at once; None if it is not open.

    An expired challenge is closed too (its try stays spent) but is not returned.
    """
    row: ChallengeRow | None = db.scalar(
        update(ChallengeRow)
        .where(
            ChallengeRow.id == challenge_id,
            ChallengeRow.kind == kind,
            ChallengeRow.session_id == session_id,
            ChallengeRow.closed_at.is_(None),
        )
        .values(closed_at=now)
        .returning(ChallengeRow)
    )
    if row is None or row.expires_at <= now:
        return None
    return row


def first_open_expiry(
    db: Session, account_id: uuid.UUID, *, now: dt.datetime
) -> dt.datetime | None:
    """When the account's first open recovery attempt expires; None if none is open."""
    return db.scalar(
        select(func.min(ChallengeRow.expires_at)).where(
            ChallengeRow.account_id == account_id,
            ChallengeRow.kind == RECOVERY,
            ChallengeRow.closed_at.is_(None),
            ChallengeRow.expires_at > now,
        )
    )


def remove_all(db: Session, account_id: uuid.UUID) -> None:
    """Forget the account's challenges (the passcode they belong to is gone)."""
    db.execute(delete(ChallengeRow).where(ChallengeRow.account_id == account_id))
