"""Device sessions: issuing a token, and finding the session a request's token names.

A token is 32 random bytes (base64url) sent as ``Authorization: Bearer``; the database
keeps only its SHA-256. ``last_seen_at`` is written at most once a minute per session.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import SessionScope
from otpkeep.server.db import sessions
from otpkeep.server.db.tables import SessionRow
from otpkeep.server.refusals import refuse

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

TOUCH_EVERY = dt.timedelta(seconds=60)
MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class Caller:
    """The session a request was made with."""

    session_id: uuid.UUID
    account_id: uuid.UUID
    scope: SessionScope
    name: str


def hash_token(token: str) -> bytes:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def issue(
    db: Session, account_id: uuid.UUID, *, scope: SessionScope, name: str, now: dt.datetime
) -> tuple[str, uuid.UUID]:
    """A new session for the account: its token (shown once) and its id."""
    token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    session_id = uuid.uuid4()
    sessions.add(
        db,
        SessionRow(
            id=session_id,
            account_id=account_id,
            token_hash=hash_token(token),
            scope=scope.value,
            name=name or "otpkeep device",
            created_at=now,
            last_seen_at=now,
        ),
    )
    return token, session_id


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if well formed."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def authenticate(db: Session, authorization: str | None, *, now: dt.datetime) -> Caller:
    """The caller of a request with ``authorization``; ``unauthorized`` if it names no session."""
    token = bearer_token(authorization)
    row = sessions.by_token_hash(db, hash_token(token)) if token else None
    if row is None:
        raise refuse(
            ErrorCode.UNAUTHORIZED,
            "This device is not signed in to the backup service: verify your email again.",
        )
    if now - row.last_seen_at >= TOUCH_EVERY:
        sessions.touch(db, row.id, now=now)
    return Caller(
        session_id=row.id, account_id=row.account_id, scope=SessionScope(row.scope), name=row.name
    )


def require_full(caller: Caller) -> Caller:
    """``caller`` if its session is full; ``session_scope`` otherwise."""
    if caller.scope is not SessionScope.FULL:
        raise refuse(
            ErrorCode.SESSION_SCOPE,
            "This session may only try the passcode: enter the passcode to finish the transfer.",
        )
    return caller


def require_recovery(caller: Caller) -> Caller:
    """``caller`` if its session is a recovery session; ``session_scope`` otherwise."""
    if caller.scope is not SessionScope.RECOVERY:
        raise refuse(
            ErrorCode.SESSION_SCOPE,
            "This device already holds the backup: recovery is only for a transfer session.",
        )
    return caller
