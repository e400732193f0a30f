"""Email verification: send a code, check it, and grant a mailbox session (or a new address).

Starting does the same work for every address (limits, a random id, a stored keyed hash,
a queued mail) and answers the same way, so neither the answer nor its timing tells
whether an address has a backup. A verified code proves only that someone reads the
mailbox: it grants a ``setup`` session to an address without a passcode and a
``recovery`` session to one with a passcode, whatever purpose was asked. Full rights
come from the data key (docs/security.md).

Send limits (see :mod:`otpkeep.server.settings`) are counted per (address, client
network), per address and per client network; a client network is an IPv4 address or
an IPv6 /64, so one host cannot spread its sends over the addresses of its prefix.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import secrets
import uuid
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import (
    CODE_LENGTH,
    EmailChanged,
    EventKind,
    LinkOpen,
    PossessionAction,
    Purpose,
    SessionGranted,
    SessionScope,
    VerificationDelivery,
    VerificationLink,
    VerificationStart,
    VerificationStarted,
)
from otpkeep.server.db import accounts, limits, passcodes, undos, verifications
from otpkeep.server.db.tables import EmailUndoRow, VerificationRow
from otpkeep.server.errors import refuse
from otpkeep.server.services import auth, notify, possession
from otpkeep.server.services.links import open_link, seal_link, seal_undo

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


def normalise_email(email: str) -> str:
    """The form an address is stored and compared in."""
    return email.strip().lower()


def client_network(client: str) -> str:
    """The network a client's sends are counted for: its IPv4 address, or its IPv6 /64."""
    try:
        address = ipaddress.ip_address(client)
    except ValueError:
        return client
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def new_code() -> str:
    """Six random digits."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def _take_sends(rt: Runtime, db: Session, email: str, client: str, now: dt.datetime) -> None:
    settings = rt.settings
    network = client_network(client)
    for kind, value, limit in (
        ("pair", f"{email}\x00{network}", settings.max_sends_per_address_client_per_hour),
        ("email", email, settings.max_sends_per_hour),
        ("client", network, settings.max_sends_per_client_per_hour),
    ):
        wait = limits.take_send(
            db,
            rt.keys.bucket(kind, value),
            limit=limit,
            now=now,
            gap_after=settings.send_gap_after if kind == "pair" else None,
        )
        if wait is not None:
            db.rollback()
            raise refuse(
                ErrorCode.RATE_LIMITED,
                f"Too many codes were asked for: try again in {_duration(wait)}.",
                retry_after=wait,
                details={"retry_after": int(wait + 0.999)},
            )


def _duration(seconds: float) -> str:
    minutes = int(seconds + 59) // 60
    if seconds < 60:
        return f"{int(seconds + 0.999)} seconds"
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return "about an hour"


def start(  # noqa: PLR0913 - one argument per fact of the request
    rt: Runtime,
    db: Session,
    caller: Caller | None,
    request: VerificationStart,
    *,
    client: str,
    proof: str | None,
) -> VerificationStarted:
    """Email a code for ``request.purpose``; 202 whether or not the address is known."""
    now = rt.now()
    settings = rt.settings
    email = normalise_email(request.email)
    account_id: uuid.UUID | None = None
    if request.purpose is Purpose.CHANGE_EMAIL:
        if caller is None or caller.scope is not SessionScope.FULL:
            raise refuse(
                ErrorCode.SESSION_SCOPE,
                "Only a device that holds the backup can change its address.",
            )
        account = accounts.by_id(db, caller.account_id)
        if account is None:
            raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
        if account.email == email:
            raise refuse(ErrorCode.EMAIL_UNCHANGED, f"{email} is already the backup's address.")
        possession.require(
            rt, db, caller, proof, action=PossessionAction.CHANGE_EMAIL, target=email
        )
        account_id = caller.account_id
    _take_sends(rt, db, email, client, now)
    verification_id = uuid.uuid4()
    code = new_code()
    lifetime = settings.code_lifetime_seconds
    token = seal_link(rt.keys.link_token, verification_id, code)
    outbox_id = notify.mail(
        rt,
        db,
        email,
        "verification_code",
        now=now,
        context={
            "code": code,
            "link": f"{settings.public_url.rstrip('/')}/v/{token}",
            "purpose": request.purpose.value,
            "minutes": lifetime // 60,
        },
    )
    verifications.add(
        db,
        VerificationRow(
            id=verification_id,
            email=email,
            purpose=request.purpose.value,
            code_hash=rt.keys.hash_code(verification_id.bytes, code),
            attempts_left=settings.code_max_attempts,
            device_name=request.device_name,
            account_id=account_id,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
            outbox_id=outbox_id,
        ),
    )
    return VerificationStarted(verification_id=verification_id, expires_in=lifetime)


def confirm(
    rt: Runtime, db: Session, caller: Caller | None, verification_id: uuid.UUID, code: str
) -> SessionGranted | EmailChanged:
    """Check ``code``; grant what the verification's purpose asked for."""
    now = rt.now()
    row = verifications.get(db, verification_id)
    if row is None:
        raise refuse(ErrorCode.VERIFICATION_FAILED, "This code is not right: check the email.")
    purpose = Purpose(row.purpose)
    if purpose is Purpose.CHANGE_EMAIL and (
        caller is None
        or caller.account_id != row.account_id
        or caller.scope is not SessionScope.FULL
    ):
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
    if purpose is Purpose.CHANGE_EMAIL and caller is not None:
        return _change_email(rt, db, row, caller, now=now)
    return _grant_session(rt, db, row, now=now)


def delivery(
    rt: Runtime, db: Session, caller: Caller | None, verification_id: uuid.UUID
) -> VerificationDelivery:
    """What became of a verification's email (its id is known only to whoever started it)."""
    del rt, caller
    found = verifications.delivery(db, verification_id)
    if found is None:
        raise refuse(ErrorCode.NOT_FOUND, "No verification has that id.")
    return VerificationDelivery(delivery=found.state, attempts=found.attempts)


def open_emailed_link(
    rt: Runtime, db: Session, caller: Caller | None, request: LinkOpen
) -> VerificationLink:
    """The verification and code an emailed link holds, while its code can still be used.

    The link holds no more than the email does (the code is written beside it); the app
    then confirms the code as if it had been typed.
    """
    del caller
    contents = open_link(rt.keys.link_token, request.token)
    if contents is None:
        raise refuse(ErrorCode.NOT_FOUND, "That is not a link this service sent.")
    row = verifications.get(db, contents.verification_id)
    now = rt.now()
    if row is None or row.used_at is not None or row.expires_at <= now or row.attempts_left <= 0:
        raise refuse(
            ErrorCode.VERIFICATION_EXPIRED,
            "This link's code has expired or was already used: ask for a new one.",
        )
    return VerificationLink(verification_id=contents.verification_id, code=contents.code)


def _grant_session(
    rt: Runtime, db: Session, row: VerificationRow, *, now: dt.datetime
) -> SessionGranted:
    """A mailbox session: ``recovery`` where a passcode exists, ``setup`` where none does."""
    account, _created = accounts.get_or_create(db, row.email, now=now)
    has_passcode = passcodes.exists_for(db, account.id)
    scope = SessionScope.RECOVERY if has_passcode else SessionScope.SETUP
    session = auth.issue(
        rt,
        db,
        account.id,
        scope=scope,
        origin=auth.Origin.VERIFICATION,
        name=row.device_name,
        now=now,
    )
    return SessionGranted(
        session_token=session.session_token,
        session_id=session.session_id,
        scope=scope,
        account_id=account.id,
        email=account.email,
        has_passcode=has_passcode,
        backup_version=None,
    )


def _change_email(
    rt: Runtime, db: Session, row: VerificationRow, caller: Caller, *, now: dt.datetime
) -> EmailChanged:
    account = accounts.by_id(db, caller.account_id, lock=True)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    old = account.email
    if old == row.email:
        return EmailChanged(email=row.email)
    if not accounts.change_email(db, account.id, row.email):
        raise refuse(
            ErrorCode.EMAIL_IN_USE,
            "Another backup already uses this address: choose a different one.",
        )
    undo_id = uuid.uuid4()
    days = rt.settings.email_undo_days
    undos.add(
        db,
        EmailUndoRow(
            id=undo_id,
            account_id=account.id,
            session_id=caller.session_id,
            old_email=old,
            new_email=row.email,
            created_at=now,
            expires_at=now + dt.timedelta(days=days),
        ),
    )
    notify.record(
        db,
        account.id,
        EventKind.EMAIL_CHANGED,
        now=now,
        details={
            "old": notify.mask_email(old),
            "new": notify.mask_email(row.email),
            "device_name": caller.name,
        },
    )
    undo_link = f"{rt.settings.public_url.rstrip('/')}/e/{seal_undo(rt.keys.link_token, undo_id)}"
    notify.mail(
        rt,
        db,
        old,
        "email_changed_old",
        now=now,
        context={"new_email": row.email, "undo_link": undo_link, "days": days},
    )
    notify.mail(rt, db, row.email, "email_changed_new", now=now, context={"old_email": old})
    return EmailChanged(email=row.email)
