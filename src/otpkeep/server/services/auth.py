"""Device sessions: issuing a token, replacing it, and finding the caller a token names.

A token is 32 random bytes (base64url) sent as ``Authorization: Bearer``; the database
keeps only its SHA-256. Sessions have lifetimes (docs/security.md, "Sessions"):

- a *mailbox* session (``setup`` or ``recovery``, from an emailed code) lives
  ``mailbox_session_minutes`` from its start;
- a *full* session lives ``session_lifetime_days`` from its start and ends after
  ``session_idle_days`` without use. Once either has passed, its token can only be used
  to prove possession of the data key again (``POST /v1/session``), which replaces it.

A ``setup`` session is for an address without a passcode; once the address has one
(another device registered it), the session counts as ``recovery``. ``last_seen_at``
is written at most once a minute per session.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import EndReason, ErrorCode
from otpkeep.protocol.messages import NewSession, SessionScope
from otpkeep.server.db import passcodes, sessions
from otpkeep.server.db.tables import SessionRow
from otpkeep.server.errors import Refusal, refuse

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.settings import Settings

TOUCH_EVERY = dt.timedelta(seconds=60)
MAX_TOKEN_LENGTH = 128
DEFAULT_NAME = "otpkeep device"


class Origin:
    """How a session began (it decides what a registration in it means)."""

    VERIFICATION = "verification"
    REGISTRATION = "registration"
    RECOVERY = "recovery"
    POSSESSION = "possession"


@dataclass(frozen=True)
class Caller:
    """The session a request was made with; ``expired`` only where a renewal is allowed."""

    session_id: uuid.UUID
    account_id: uuid.UUID
    scope: SessionScope
    origin: str
    name: str
    expired: bool = False


def hash_token(token: str) -> bytes:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode("ascii", "replace")).digest()


def lifetime(settings: Settings, scope: SessionScope) -> dt.timedelta:
    """How long a session of ``scope`` lives from its start."""
    if scope is SessionScope.FULL:
        return dt.timedelta(days=settings.session_lifetime_days)
    return dt.timedelta(minutes=settings.mailbox_session_minutes)


def issue(  # noqa: PLR0913 - the facts of a new session
    rt: Runtime,
    db: Session,
    account_id: uuid.UUID,
    *,
    scope: SessionScope,
    origin: str,
    name: str,
    now: dt.datetime,
) -> NewSession:
    """A new session for the account; its token is shown once, in the answer."""
    token = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")
    session_id = uuid.uuid4()
    sessions.add(
        db,
        SessionRow(
            id=session_id,
            account_id=account_id,
            token_hash=hash_token(token),
            scope=scope.value,
            origin=origin,
            name=name or DEFAULT_NAME,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime(rt.settings, scope),
        ),
    )
    return NewSession(session_token=token, session_id=session_id, scope=scope)


def replace(  # noqa: PLR0913 - the session replaced and what replaces it
    rt: Runtime, db: Session, caller: Caller, *, scope: SessionScope, origin: str, now: dt.datetime
) -> NewSession:
    """End the caller's session and give its device a new one (a new token, a new life)."""
    sessions.end(db, caller.account_id, caller.session_id, reason=EndReason.REPLACED, now=now)
    return issue(rt, db, caller.account_id, scope=scope, origin=origin, name=caller.name, now=now)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if well formed."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return token


def not_signed_in() -> Refusal:
    """The refusal of a request without a session token, or with one that names none."""
    return refuse(
        ErrorCode.UNAUTHORIZED,
        "This device is not signed in to the backup service: verify your email again.",
    )


def _expired(settings: Settings, row: sessions.SessionInfo, now: dt.datetime) -> bool:
    if now >= row.expires_at:
        return True
    idle = dt.timedelta(days=settings.session_idle_days)
    return row.scope == SessionScope.FULL and now - row.last_seen_at >= idle


def authenticate(  # noqa: PLR0913 - the request's token and what the endpoint allows
    rt: Runtime,
    db: Session,
    authorization: str | None,
    *,
    scopes: Collection[SessionScope],
    now: dt.datetime,
    renewal: bool = False,
) -> Caller:
    """The caller of a request, if its session may call an endpoint open to ``scopes``.

    ``renewal``: the endpoint renews sessions, so a full session whose life ran out is
    let through (marked ``expired``) rather than refused.
    """
    token = bearer_token(authorization)
    row = sessions.by_token_hash(db, hash_token(token)) if token else None
    caller, touch = admit(
        rt,
        row,
        scopes=scopes,
        now=now,
        renewal=renewal,
        has_passcode=lambda account_id: passcodes.exists_for(db, account_id),
    )
    if touch:
        sessions.touch(db, caller.session_id, now=now)
    return caller


def admit(  # noqa: PLR0913 - the session found and what the endpoint allows
    rt: Runtime,
    row: sessions.SessionInfo | None,
    *,
    scopes: Collection[SessionScope],
    now: dt.datetime,
    has_passcode: Callable[[uuid.UUID], bool],
    renewal: bool = False,
) -> tuple[Caller, bool]:
    """The caller of session ``row`` (looked up by its token) and whether to touch it now.

    Every refusal of :func:`authenticate` is decided here; ``has_passcode`` is asked only
    of a ``setup`` session.
    """
    if row is None:
        raise not_signed_in()
    if row.ended_at is not None:
        raise refuse(
            ErrorCode.SESSION_ENDED,
            _ENDED.get(row.end_reason or "", "This device's session with the backup ended."),
            details={"reason": row.end_reason, "ended_at": row.ended_at.isoformat()},
        )
    stored = SessionScope(row.scope)
    expired = _expired(rt.settings, row, now)
    if expired and not (renewal and stored is SessionScope.FULL):
        raise refuse(
            ErrorCode.SESSION_EXPIRED,
            "This device's session with the backup service has expired.",
            details={"renewable": stored is SessionScope.FULL},
        )
    scope = stored
    if stored is SessionScope.SETUP and has_passcode(row.account_id):
        if SessionScope.SETUP in scopes and SessionScope.RECOVERY not in scopes:
            raise refuse(
                ErrorCode.PASSCODE_EXISTS,
                "This address already has a backup: transfer it with its passcode.",
            )
        scope = SessionScope.RECOVERY
    if scope not in scopes:
        raise refuse(ErrorCode.SESSION_SCOPE, _SCOPE[scope])
    caller = Caller(
        session_id=row.id,
        account_id=row.account_id,
        scope=scope,
        origin=row.origin,
        name=row.name,
        expired=expired,
    )
    return caller, now - row.last_seen_at >= TOUCH_EVERY and not expired


_ENDED: dict[str, str] = {
    EndReason.REVOKED: "This device was removed from the backup by another device.",
    EndReason.REPLACED: "This session was replaced by a newer one of the same device.",
    EndReason.BACKUP_DELETED: "The backup was deleted, on this device or another one.",
    EndReason.BACKUP_DESTROYED: "The backup was destroyed after too many wrong passcodes.",
    EndReason.EMAIL_CHANGE_UNDONE: "The backup's previous address undid a change of address.",
}

_SCOPE: dict[SessionScope, str] = {
    SessionScope.SETUP: "This session may only set the first passcode of a backup.",
    SessionScope.RECOVERY: (
        "This session may only try the passcode, or sign in with the backup's key: enter "
        "the passcode to finish the transfer."
    ),
    SessionScope.FULL: "This device already holds the backup: that step is for another device.",
}
