"""Statements on backup versions; the unique (account, version) keeps uploads honest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select
from sqlalchemy import insert as insert_statement
from sqlalchemy.exc import IntegrityError

from otpkeep.server.db.tables import BackupRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session


def latest_version(db: Session, account_id: uuid.UUID) -> int | None:
    """The newest version number of the account's backup; None if it has none."""
    return db.scalar(select(func.max(BackupRow.version)).where(BackupRow.account_id == account_id))


def insert(
    db: Session, account_id: uuid.UUID, *, version: int, data: bytes, created_at: dt.datetime
) -> bool:
    """Store a version; False (and the transaction rolled back) when it was taken meanwhile.

    No savepoint, on purpose: it would cost two statements on every upload, and the
    only work an upload does before this insert is reading (and the throttled touch
    of its session), which a conflict may lose without harm.
    """
    try:
        db.execute(
            insert_statement(BackupRow).values(
                account_id=account_id,
                version=version,
                size=len(data),
                data=data,
                created_at=created_at,
            )
        )
    except IntegrityError:
        db.rollback()
        return False
    return True


def prune(db: Session, account_id: uuid.UUID, *, newest: int, keep: int) -> None:
    """Delete every version older than the last ``keep``."""
    db.execute(
        delete(BackupRow).where(
            BackupRow.account_id == account_id, BackupRow.version <= newest - keep
        )
    )


def get(db: Session, account_id: uuid.UUID, version: int | None = None) -> BackupRow | None:
    """Version ``version`` of the backup, or the newest one."""
    statement = select(BackupRow).where(BackupRow.account_id == account_id)
    if version is None:
        statement = statement.order_by(BackupRow.version.desc()).limit(1)
    else:
        statement = statement.where(BackupRow.version == version)
    return db.scalar(statement)


def versions(db: Session, account_id: uuid.UUID) -> list[BackupRow]:
    """Every kept version, newest first, without loading their contents."""
    from sqlalchemy.orm import defer  # noqa: PLC0415 - only this query defers

    return list(
        db.scalars(
            select(BackupRow)
            .options(defer(BackupRow.data))
            .where(BackupRow.account_id == account_id)
            .order_by(BackupRow.version.desc())
        )
    )


def with_data(db: Session, account_id: uuid.UUID) -> list[BackupRow]:
    """Every kept version with its contents, newest first (the privacy export)."""
    return list(
        db.scalars(
            select(BackupRow)
            .where(BackupRow.account_id == account_id)
            .order_by(BackupRow.version.desc())
        )
    )


def remove_all(db: Session, account_id: uuid.UUID) -> int:
    """Delete every version; how many there were."""
    result = db.execute(
        delete(BackupRow).where(BackupRow.account_id == account_id).returning(BackupRow.id)
    )
    return len(result.all())
