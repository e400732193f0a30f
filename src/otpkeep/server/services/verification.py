"""Email verification: send a code, check it, and grant a session (or a new address).

Starting does the same work for every address (limits, a random id, a stored keyed hash,
a queued mail) and answers the same way, so neither the answer nor its timing tells
whether an address has a backup.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import uuid
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import (
    CODE_LENGTH,
    EmailChanged,
    EventKind,
    Purpose,
    SessionGranted,
    SessionScope,
    VerificationStarted,
)
from otpkeep.server.db import accounts, backups, limits, passcodes, verifications
from otpkeep.server.db.tables import VerificationRow
from otpkeep.server.refusals import refuse
from otpkeep.server.services import auth, notify
from otpkeep.server.services.links import seal_link

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


PURGE_AFTER = dt.timedelta(days=1)


def normalise_email(email: str) -> str:
    """The form an address is stored and compared in."""
    return email.strip().lower()


def new_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def start(  # noqa: PLR0913 - one argument per fact of the request
    rt: Runtime,
    db: Session,
    *,
    email: str,
    purpose: Purpose,
    device_name: str,
    client: str,
    caller: Caller | None,
) -> VerificationStarted:
    """Email a code for ``purpose`` to ``email``; 202 whether or not the address is known."""
    now = rt.now()
    settings = rt.settings
    email = normalise_email(email)
    account_id: uuid.UUID | None = None
    if purpose is Purpose.CHANGE_EMAIL:
        if caller is None:
            raise refuse(ErrorCode.UNAUTHORIZED, "Sign in to change the address of your backup.")
        account_id = auth.require_full(caller).account_id
    for kind, value, limit in (
        ("email", email, settings.max_sends_per_hour),
        ("client", client, settings.max_sends_per_client_per_hour),
    ):
        wait = limits.take_send(db, rt.keys.bucket(kind, value), limit=limit, now=now)
        if wait is not None:
            db.rollback()
            raise refuse(
                ErrorCode.RATE_LIMITED,
                "Too many codes were sent: wait a while before asking for another one.",
                retry_after=wait,
            )
    verifications.purge(db, before=now - PURGE_AFTER)
    verification_id = uuid.uuid4()
    code = new_code()
    lifetime = settings.code_lifetime_seconds
    verifications.add(
        db,
        VerificationRow(
            id=verification_id,
            email=email,
            purpose=purpose.value,
            code_hash=rt.keys.hash_code(verification_id.bytes, code),
            attempts_left=settings.code_max_attempts,
            device_name=device_name,
            account_id=account_id,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
        ),
    )
    token = seal_link(rt.keys.link_token, verification_id, code)
    link = f"{settings.public_url.rstrip('/')}/v/{token}"
    notify.mail(
        db,
        email,
        "verification_code",
        now=now,
        context={"code": code, "link": link, "purpose": purpose.value, "minutes": lifetime // 60},
    )
    return VerificationStarted(verification_id=verification_id, expires_in=lifetime)


def confirm(
    rt: Runtime, db: Session, *, verification_id: uuid.UUID, code: str, caller: Caller | None
) -> SessionGranted | EmailChanged:
    """Check ``code``; grant what the verification's purpose asked for."""
    now = rt.now()
    row = verifications.get(db, verification_id)
    if row is None:
        raise refuse(ErrorCode.VERIFICATION_FAILED, "This code is not right: check the email.")
    purpose = Purpose(row.purpose)
    if purpose is Purpose.CHANGE_EMAIL and (caller is None or caller.account_id != row.account_id):
        raise refuse(ErrorCode.UNAUTHORIZED, "Sign in on the device that asked for this code.")
    taken = verifications.take_try(db, verification_id, now=now)
    if taken is None:
        raise refuse(
            ErrorCode.VERIFICATION_EXPIRED,
            "This code has expired or was already used: ask for a new one.",
        )
    expected = rt.keys.hash_code(verification_id.bytes, code)
    if not hmac.compare_digest(expected, taken.code_hash):
        raise refuse(
            ErrorCode.VERIFICATION_FAILED,
            "This code is not right: check the email and try again.",
            details={"attempts_left": taken.attempts_left},
        )
    if not verifications.mark_used(db, verification_id, now=now):
        raise refuse(
            ErrorCode.VERIFICATION_EXPIRED, "This code was already used: ask for a new one."
        )
    if purpose is Purpose.CHANGE_EMAIL:
        return _change_email(rt, db, row, now=now)
    return _grant_session(db, row, purpose, now=now)


def _grant_session(
    db: Session, row: VerificationRow, purpose: Purpose, *, now: dt.datetime
) -> SessionGranted:
    account, created = accounts.get_or_create(db, row.email, now=now)
    scope = SessionScope.FULL if purpose is Purpose.ENABLE else SessionScope.RECOVERY
    name = row.device_name or "otpkeep device"
    token, session_id = auth.issue(db, account.id, scope=scope, name=name, now=now)
    notify.record(
        db,
        account.id,
        EventKind.DEVICE_ADDED,
        now=now,
        details={"device_name": name, "session_id": str(session_id), "scope": scope.value},
    )
    if not created:
        notify.mail(db, account.email, "device_added", now=now, context={"device_name": name})
    has_passcode = passcodes.exists_for(db, account.id)
    return SessionGranted(
        session_token=token,
        session_id=session_id,
        scope=scope,
        account_id=account.id,
        email=account.email,
        has_passcode=has_passcode,
        backup_version=backups.latest_version(db, account.id)
        if scope is SessionScope.FULL
        else None,
    )


def _change_email(
    rt: Runtime, db: Session, row: VerificationRow, *, now: dt.datetime
) -> EmailChanged:
    del rt
    if row.account_id is None:  # pragma: no cover - change_email rows always name one
        raise refuse(ErrorCode.VERIFICATION_FAILED, "This code is not for a change of address.")
    account = accounts.by_id(db, row.account_id, lock=True)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    old = account.email
    if old != row.email and not accounts.change_email(db, account.id, row.email):
        raise refuse(
            ErrorCode.EMAIL_IN_USE,
            "Another backup already uses this address: choose a different one.",
        )
    notify.record(
        db,
        account.id,
        EventKind.EMAIL_CHANGED,
        now=now,
        details={"old": notify.mask_email(old), "new": notify.mask_email(row.email)},
    )
    notify.mail(
        db, old, "email_changed_old", now=now, context={"new_email": notify.mask_email(row.email)}
    )
    notify.mail(db, row.email, "email_changed_new", now=now)
    return EmailChanged(email=row.email)
