"""Statements on the escrow row: tries are taken by one atomic UPDATE ... RETURNING.

The row is locked (``FOR UPDATE``) by every step that settles a try, so the last
failure and the destruction it causes happen once, whatever the concurrency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select, update

from otpkeep.server.db.tables import PasscodeRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class TakenTry:
    """What an evaluation needs once its try is taken."""

    key_version: int
    kdf: dict[str, Any]
    tries_left: int


def get(db: Session, account_id: uuid.UUID, *, lock: bool = False) -> PasscodeRow | None:
    """The account's escrow row; ``lock`` holds it until the transaction ends."""
    statement = select(PasscodeRow).where(PasscodeRow.account_id == account_id)
    if lock:
        statement = statement.with_for_update()
    return db.scalar(statement)


def exists_for(db: Session, account_id: uuid.UUID) -> bool:
    """True when the account has a passcode (and so a wrapped data key)."""
    found = db.execute(
        select(PasscodeRow.account_id).where(PasscodeRow.account_id == account_id)
    ).first()
    return found is not None


def take_try(db: Session, account_id: uuid.UUID, *, now: dt.datetime) -> TakenTry | None:
    """Take one try if any is left and no wait is running; None otherwise."""
    row = db.execute(
        update(PasscodeRow)
        .where(
            PasscodeRow.account_id == account_id,
            PasscodeRow.tries_left > 0,
            or_(PasscodeRow.wait_until.is_(None), PasscodeRow.wait_until <= now),
        )
        .values(tries_left=PasscodeRow.tries_left - 1)
        .returning(PasscodeRow.key_version, PasscodeRow.kdf, PasscodeRow.tries_left)
    ).one_or_none()
    if row is None:
        return None
    return TakenTry(key_version=row.key_version, kdf=row.kdf, tries_left=row.tries_left)


def record_failure(
    db: Session, account_id: uuid.UUID, *, wait_until: dt.datetime | None, now: dt.datetime
) -> None:
    """Count a failed proof and start the wait it causes."""
    db.execute(
        update(PasscodeRow)
        .where(PasscodeRow.account_id == account_id)
        .values(failures=PasscodeRow.failures + 1, wait_until=wait_until, updated_at=now)
    )


def restore_tries(db: Session, account_id: uuid.UUID, *, tries: int, now: dt.datetime) -> None:
    """Give every try back after a right passcode."""
    db.execute(
        update(PasscodeRow)
        .where(PasscodeRow.account_id == account_id)
        .values(tries_left=tries, failures=0, wait_until=None, updated_at=now)
    )


def put(db: Session, row: PasscodeRow) -> None:
    """Store ``row`` in place of the account's escrow row."""
    db.merge(row)


def destroy(db: Session, account_id: uuid.UUID) -> bool:
    """Delete the escrow row (wrapped data key, auth key); True if there was one."""
    result = db.execute(
        delete(PasscodeRow)
        .where(PasscodeRow.account_id == account_id)
        .returning(PasscodeRow.account_id)
    ).one_or_none()
    return result is not None
