"""Statements on the escrow row of an account.

Every step that takes or settles a try first locks the row (``FOR UPDATE`` on
PostgreSQL; on SQLite every transaction is the only writer), so the one open attempt,
the wait, the last failure and the destruction it causes each happen once, whatever the
concurrency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from otpkeep.server.db.tables import PasscodeRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session


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


def possession_public_key(db: Session, account_id: uuid.UUID) -> bytes | None:
    """The public key that checks the account's possession signatures, if it has a passcode."""
    return db.scalar(
        select(PasscodeRow.possession_public_key).where(PasscodeRow.account_id == account_id)
    )


def take_try(db: Session, account_id: uuid.UUID, *, now: dt.datetime) -> int | None:
    """Take one try of the (locked) row if one is left; the tries left after it, or None."""
    return db.scalar(
        update(PasscodeRow)
        .where(PasscodeRow.account_id == account_id, PasscodeRow.tries_left > 0)
        .values(tries_left=PasscodeRow.tries_left - 1, updated_at=now)
        .returning(PasscodeRow.tries_left)
    )


def record_failure(
    db: Session, account_id: uuid.UUID, *, wait_until: dt.datetime | None, now: dt.datetime
) -> None:
    """Count a failed try and start the wait it causes."""
    db.execute(
        update(PasscodeRow)
        .where(PasscodeRow.account_id == account_id)
        .values(failures=PasscodeRow.failures + 1, wait_until=wait_until, updated_at=now)
        .execution_options(synchronize_session=False)
    )


def restore_tries(db: Session, account_id: uuid.UUID, *, tries: int, now: dt.datetime) -> None:
    """Give every try back after a right passcode."""
    db.execute(
        update(PasscodeRow)
        .where(PasscodeRow.account_id == account_id)
        .values(tries_left=tries, failures=0, wait_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
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
