"""Statements on device sessions, found by the SHA-256 of their token."""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - a dataclass field
import uuid  # noqa: TC003 - a dataclass field
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import delete, select, update

from otpkeep.server.db.tables import SessionRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def add(db: Session, row: SessionRow) -> None:
    """Store a new session."""
    db.add(row)


@dataclass(frozen=True)
class SessionInfo:
    """What authenticating a request needs of a session (read without the ORM's overhead)."""

    id: uuid.UUID
    account_id: uuid.UUID
    scope: str
    name: str
    last_seen_at: dt.datetime


def by_token_hash(db: Session, token_hash: bytes) -> SessionInfo | None:
    """The session whose token hashes to ``token_hash``."""
    row = db.execute(
        select(
            SessionRow.id,
            SessionRow.account_id,
            SessionRow.scope,
            SessionRow.name,
            SessionRow.last_seen_at,
        ).where(SessionRow.token_hash == token_hash)
    ).one_or_none()
    if row is None:
        return None
    return SessionInfo(row.id, row.account_id, row.scope, row.name, row.last_seen_at)


def touch(db: Session, session_id: uuid.UUID, *, now: dt.datetime) -> None:
    """Record that the session was just used."""
    db.execute(update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now))


def set_scope(db: Session, session_id: uuid.UUID, scope: str) -> None:
    """Change the session's scope (a recovery session that succeeded becomes full)."""
    db.execute(update(SessionRow).where(SessionRow.id == session_id).values(scope=scope))


def of_account(db: Session, account_id: uuid.UUID) -> list[SessionRow]:
    """The account's sessions, oldest first."""
    return list(
        db.scalars(
            select(SessionRow)
            .where(SessionRow.account_id == account_id)
            .order_by(SessionRow.created_at, SessionRow.id)
        )
    )


def remove(db: Session, account_id: uuid.UUID, session_id: uuid.UUID) -> SessionRow | None:
    """Delete one of the account's sessions; the deleted row, or None if there was none."""
    row = db.scalar(
        select(SessionRow).where(SessionRow.id == session_id, SessionRow.account_id == account_id)
    )
    if row is not None:
        db.execute(delete(SessionRow).where(SessionRow.id == session_id))
    return row
