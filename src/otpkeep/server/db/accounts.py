"""Statements on accounts (one per verified address) and on removing one entirely."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from otpkeep.server.db.tables import (
    AccountRow,
    BackupRow,
    ChallengeRow,
    EmailUndoRow,
    EventRow,
    PasscodeRow,
    SessionRow,
    VerificationRow,
)

if TYPE_CHECKING:
    import datetime as dt

    from sqlalchemy.orm import Session


def by_email(db: Session, email: str) -> AccountRow | None:
    """The account of ``email`` (already normalised), if any."""
    return db.scalar(select(AccountRow).where(AccountRow.email == email))


def by_id(db: Session, account_id: uuid.UUID, *, lock: bool = False) -> AccountRow | None:
    """The account ``account_id``; ``lock`` holds its row until the transaction ends."""
    statement = select(AccountRow).where(AccountRow.id == account_id)
    if lock:
        statement = statement.with_for_update()
    return db.scalar(statement)


def get_or_create(db: Session, email: str, *, now: dt.datetime) -> tuple[AccountRow, bool]:
    """The account of ``email``, created if missing; the flag says whether it was created."""
    found = by_email(db, email)
    if found is not None:
        return found, False
    row = AccountRow(id=uuid.uuid4(), email=email, key_version=0, created_at=now)
    try:
        with db.begin_nested():
            db.add(row)
    except IntegrityError:
        found = by_email(db, email)
        if found is None:  # pragma: no cover - the conflicting row vanished
            raise
        return found, False
    return row, True


def change_email(db: Session, account_id: uuid.UUID, email: str) -> bool:
    """Give the account a new address; False when another account has it."""
    try:
        with db.begin_nested():
            db.execute(update(AccountRow).where(AccountRow.id == account_id).values(email=email))
    except IntegrityError:
        return False
    return True


def set_key_version(db: Session, account_id: uuid.UUID, key_version: int) -> None:
    """Record the newest key version the account has used."""
    db.execute(
        update(AccountRow).where(AccountRow.id == account_id).values(key_version=key_version)
    )


def delete_account(db: Session, account_id: uuid.UUID) -> None:
    """Remove the account and every row that belongs to it."""
    for table in (
        BackupRow,
        PasscodeRow,
        ChallengeRow,
        EmailUndoRow,
        EventRow,
        SessionRow,
        VerificationRow,
    ):
        db.execute(delete(table).where(table.account_id == account_id))
    db.execute(delete(AccountRow).where(AccountRow.id == account_id))
