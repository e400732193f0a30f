"""Devices, security events and privacy: what the owner can see and remove."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import (
    AccountExport,
    DeviceInfo,
    DeviceList,
    Event,
    EventKind,
    EventList,
    SessionScope,
)
from otpkeep.server.db import accounts, backups, events, passcodes, sessions, verifications
from otpkeep.server.refusals import refuse
from otpkeep.server.services import notify

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

    from otpkeep.server.db.tables import AccountRow
    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


def _account(db: Session, caller: Caller, *, lock: bool = False) -> AccountRow:
    account = accounts.by_id(db, caller.account_id, lock=lock)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    return account


def list_devices(db: Session, caller: Caller) -> DeviceList:
    """The account's sessions, the caller's marked ``current``."""
    return DeviceList(
        devices=[
            DeviceInfo(
                id=row.id,
                name=row.name,
                scope=SessionScope(row.scope),
                created_at=row.created_at,
                last_seen_at=row.last_seen_at,
                current=row.id == caller.session_id,
            )
            for row in sessions.of_account(db, caller.account_id)
        ]
    )


def revoke_device(rt: Runtime, db: Session, caller: Caller, session_id: uuid.UUID) -> None:
    """End one of the account's sessions; the owner is told."""
    now = rt.now()
    removed = sessions.remove(db, caller.account_id, session_id)
    if removed is None:
        raise refuse(ErrorCode.NOT_FOUND, "No device of this account has that id.")
    account = _account(db, caller)
    notify.record(
        db,
        caller.account_id,
        EventKind.DEVICE_REVOKED,
        now=now,
        details={"device_name": removed.name, "session_id": str(session_id)},
    )
    notify.mail(db, account.email, "device_revoked", now=now, context={"device_name": removed.name})


def list_events(db: Session, caller: Caller) -> EventList:
    """The account's security events, newest first."""
    return EventList(
        events=[
            Event(
                id=row.id, kind=EventKind(row.kind), created_at=row.created_at, details=row.details
            )
            for row in events.of_account(db, caller.account_id)
        ]
    )


def export(db: Session, caller: Caller) -> AccountExport:
    """Everything the service holds about the account (ciphertext as base64url)."""
    account = _account(db, caller)
    escrow = passcodes.get(db, account.id)
    passcode: dict[str, Any] | None = None
    if escrow is not None:
        passcode = {
            "key_version": escrow.key_version,
            "auth_public_key": b64encode(escrow.auth_public_key),
            "wrapped_data_key": b64encode(escrow.wrapped_data_key),
            "possession_key_registered": True,  # the key itself would let a token holder
            # replace the passcode, so it never leaves the service
            "kdf": escrow.kdf,
            "tries_left": escrow.tries_left,
            "failures": escrow.failures,
            "wait_until": escrow.wait_until.isoformat() if escrow.wait_until else None,
            "created_at": escrow.created_at.isoformat(),
            "updated_at": escrow.updated_at.isoformat(),
        }
    return AccountExport(
        account_id=account.id,
        email=account.email,
        created_at=account.created_at,
        passcode=passcode,
        backups=[
            {
                "version": row.version,
                "size": row.size,
                "created_at": row.created_at.isoformat(),
                "data": b64encode(row.data),
            }
            for row in backups.with_data(db, account.id)
        ],
        devices=list_devices(db, caller).devices,
        events=list_events(db, caller).events,
    )


def delete_account(rt: Runtime, db: Session, caller: Caller) -> None:
    """Delete everything about the account; a last mail tells the address."""
    now = rt.now()
    account = _account(db, caller, lock=True)
    email = account.email
    verifications.remove_for_email(db, email)
    accounts.delete_account(db, account.id)
    notify.mail(db, email, "account_deleted", now=now)
