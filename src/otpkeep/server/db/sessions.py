"""Statements on device sessions, found by the SHA-256 of their token.

A session that ends (revoked, replaced, its backup deleted or destroyed) keeps its row
with the reason until the janitor purges it, so the device that still holds its token
is told why rather than only that it is not signed in.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - a dataclass field
import uuid  # noqa: TC003 - a dataclass field
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from sqlalchemy import delete, or_, select, update

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
    origin: str
    name: str
    last_seen_at: dt.datetime
    expires_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str | None


SESSION_COLUMNS: Final = (
    SessionRow.id,
    SessionRow.account_id,
    SessionRow.scope,
    SessionRow.origin,
    SessionRow.name,
    SessionRow.last_seen_at,
    SessionRow.expires_at,
    SessionRow.ended_at,
    SessionRow.end_reason,
)
"""The columns of a :class:`SessionInfo`, in its order."""


def by_token_hash(db: Session, token_hash: bytes) -> SessionInfo | None:
    """The session whose token hashes to ``token_hash``, ended or not."""
    row = db.execute(
        select(*SESSION_COLUMNS).where(SessionRow.token_hash == token_hash)
    ).one_or_none()
    if row is None:
        return None
    return SessionInfo(*row)


def touch(db: Session, session_id: uuid.UUID, *, now: dt.datetime) -> None:
    """Record that the session was just used."""
    db.execute(update(SessionRow).where(SessionRow.id == session_id).values(last_seen_at=now))


def live_of_account(db: Session, account_id: uuid.UUID) -> list[SessionRow]:
    """The account's sessions that have not ended, oldest first."""
    return list(
        db.scalars(
            select(SessionRow)
            .where(SessionRow.account_id == account_id, SessionRow.ended_at.is_(None))
            .order_by(SessionRow.created_at, SessionRow.id)
        )
    )


def rename(
    db: Session, account_id: uuid.UUID, session_id: uuid.UUID, name: str
) -> SessionRow | None:
    """Give one live session of the account another name; the row, or None if none."""
    row = db.scalar(
        select(SessionRow).where(
            SessionRow.id == session_id,
            SessionRow.account_id == account_id,
            SessionRow.ended_at.is_(None),
        )
    )
    if row is not None:
        row.name = name
        db.flush()
    return row


def end(
    db: Session, account_id: uuid.UUID, session_id: uuid.UUID, *, reason: str, now: dt.datetime
) -> SessionRow | None:
    """End one live session of the account; the row as it was, or None if there was none."""
    row = db.scalar(
        select(SessionRow).where(
            SessionRow.id == session_id,
            SessionRow.account_id == account_id,
            SessionRow.ended_at.is_(None),
        )
    )
    if row is not None:
        db.execute(
            update(SessionRow)
            .where(SessionRow.id == session_id)
            .values(ended_at=now, end_reason=reason)
            .execution_options(synchronize_session=False)
        )
    return row


def end_all(db: Session, account_id: uuid.UUID, *, reason: str, now: dt.datetime) -> int:
    """End every live session of the account; how many there were."""
    result = db.execute(
        update(SessionRow)
        .where(SessionRow.account_id == account_id, SessionRow.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0))


def purge(db: Session, *, before: dt.datetime) -> int:
    """Forget sessions that ended, or whose life ran out, before ``before``."""
    result = db.execute(
        delete(SessionRow).where(or_(SessionRow.ended_at < before, SessionRow.expires_at < before))
    )
    return int(getattr(result, "rowcount", 0))
