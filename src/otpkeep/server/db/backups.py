"""Statements on backup versions besides the data path's (:mod:`otpkeep.server.db.datapath`).

The unique (account, version) constraint keeps uploads honest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from otpkeep.server.db.tables import BackupRow

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session


def latest_version(db: Session, account_id: uuid.UUID) -> int | None:
    """The newest version number of the account's backup; None if it has none."""
    return db.scalar(select(func.max(BackupRow.version)).where(BackupRow.account_id == account_id))


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
