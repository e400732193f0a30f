"""Statements on the changes of address the old address may undo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from otpkeep.server.db.tables import EmailUndoRow

if TYPE_CHECKING:
    import datetime as dt
    import uuid

    from sqlalchemy.orm import Session


def add(db: Session, row: EmailUndoRow) -> None:
    """Remember a change of address."""
    db.add(row)


def live(db: Session, undo_id: uuid.UUID, *, now: dt.datetime) -> EmailUndoRow | None:
    """The change ``undo_id`` while it may still be undone (unused, unexpired)."""
    return db.scalar(
        select(EmailUndoRow).where(
            EmailUndoRow.id == undo_id,
            EmailUndoRow.used_at.is_(None),
            EmailUndoRow.expires_at > now,
        )
    )


def use(db: Session, undo_id: uuid.UUID, *, now: dt.datetime) -> bool:
    """Mark the change undone; False if another request did it first."""
    result = db.execute(
        update(EmailUndoRow)
        .where(EmailUndoRow.id == undo_id, EmailUndoRow.used_at.is_(None))
        .values(used_at=now)
        .returning(EmailUndoRow.id)
    ).one_or_none()
    return result is not None


def purge(db: Session, *, before: dt.datetime) -> int:
    """Forget changes that could no longer be undone before ``before``."""
    result = db.execute(delete(EmailUndoRow).where(EmailUndoRow.expires_at < before))
    return int(getattr(result, "rowcount", 0))
