"""Statements on open challenges: registrations, recovery attempts, possession proofs.

A challenge is answered at most once: :func:`close` sets ``closed_at`` with one
``UPDATE ... RETURNING``, so two answers to one challenge never both count.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, or_, select, update

from otpkeep.server.db.tables import ChallengeRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session

REGISTRATION = "registration"
RECOVERY = "recovery"
POSSESSION = "possession"


def add(db: Session, row: ChallengeRow) -> None:
    """Store a new open challenge."""
    db.add(row)


def close(
    db: Session, challenge_id: uuid.UUID, *, kind: str, session_id: uuid.UUID, now: dt.datetime
) -> ChallengeRow | None:
    """Close the session's open challenge ``challenge_id``; the row (expired or not), or None."""
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
    return row


def close_open(db: Session, session_id: uuid.UUID, *, kind: str, now: dt.datetime) -> None:
    """Close the session's open challenges of ``kind`` (a new one replaces them)."""
    db.execute(
        update(ChallengeRow)
        .where(
            ChallengeRow.session_id == session_id,
            ChallengeRow.kind == kind,
            ChallengeRow.closed_at.is_(None),
        )
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )


def open_attempt(db: Session, account_id: uuid.UUID, *, now: dt.datetime) -> ChallengeRow | None:
    """The account's recovery attempt that is open and not expired, if any."""
    return db.scalar(
        select(ChallengeRow).where(
            ChallengeRow.account_id == account_id,
            ChallengeRow.kind == RECOVERY,
            ChallengeRow.closed_at.is_(None),
            ChallengeRow.expires_at > now,
        )
    )


def settle_expired_attempts(
    db: Session, account_id: uuid.UUID, *, now: dt.datetime
) -> list[ChallengeRow]:
    """Close the account's recovery attempts that expired unproven; the ones this call closed."""
    return list(
        db.scalars(
            update(ChallengeRow)
            .where(
                ChallengeRow.account_id == account_id,
                ChallengeRow.kind == RECOVERY,
                ChallengeRow.closed_at.is_(None),
                ChallengeRow.expires_at <= now,
            )
            .values(closed_at=now)
            .returning(ChallengeRow)
        )
    )


def accounts_with_expired_attempts(db: Session, *, now: dt.datetime) -> list[uuid.UUID]:
    """The accounts that have a recovery attempt that expired and was not yet counted."""
    return list(
        db.scalars(
            select(ChallengeRow.account_id)
            .where(
                ChallengeRow.kind == RECOVERY,
                ChallengeRow.closed_at.is_(None),
                ChallengeRow.expires_at <= now,
            )
            .distinct()
        )
    )


def remove_all(db: Session, account_id: uuid.UUID) -> None:
    """Forget the account's challenges (the passcode they belong to is gone)."""
    db.execute(delete(ChallengeRow).where(ChallengeRow.account_id == account_id))


def purge(db: Session, *, before: dt.datetime) -> int:
    """Forget challenges closed, or expired, before ``before`` (never an uncounted attempt)."""
    result = db.execute(
        delete(ChallengeRow).where(
            or_(
                ChallengeRow.closed_at < before,
                (ChallengeRow.expires_at < before) & (ChallengeRow.kind != RECOVERY),
            )
        )
    )
    return int(getattr(result, "rowcount", 0))
