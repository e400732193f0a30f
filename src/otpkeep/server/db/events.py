"""Statements on the security events of an account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from otpkeep.server.db.tables import EventRow

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session


def add(db: Session, row: EventRow) -> None:
    """Record an event."""
    db.add(row)


def of_account(db: Session, account_id: uuid.UUID, *, limit: int = 200) -> list[EventRow]:
    """The account's events, newest first."""
    return list(
        db.scalars(
            select(EventRow)
            .where(EventRow.account_id == account_id)
            .order_by(EventRow.created_at.desc(), EventRow.id)
            .limit(limit)
        )
    )
