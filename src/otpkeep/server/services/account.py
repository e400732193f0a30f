"""Devices, security events, privacy, and signing a device in with its data key.

Reading (devices, events, the privacy export) needs a full session; every change (ending
a device's session, deleting the account) also needs a possession proof. Signing in
(``POST /v1/session``) turns a mailbox session of a device that still holds the data key
(one that was revoked, or whose session ended) into a full one, and renews a full
session whose life ran out.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import EndReason, ErrorCode
from otpkeep.protocol.kinds import rename_target
from otpkeep.protocol.messages import (
    AccountExport,
    DeviceInfo,
    DeviceList,
    EscrowSummary,
    Event,
    EventKind,
    EventList,
    PossessionAction,
    SessionGranted,
    SessionScope,
    StoredVersion,
)
from otpkeep.server.db import (
    accounts,
    backups,
    events,
    passcodes,
    sessions,
    undos,
    verifications,
)
from otpkeep.server.errors import refuse
from otpkeep.server.services import auth, kdf, notify, possession

if TYPE_CHECKING:
    import uuid

    from sqlalchemy.orm import Session

    from otpkeep.server.db.tables import AccountRow, SessionRow
    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


def _account(db: Session, caller: Caller, *, lock: bool = False) -> AccountRow:
    account = accounts.by_id(db, caller.account_id, lock=lock)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    return account


def _device(row: SessionRow, caller: Caller) -> DeviceInfo:
    return DeviceInfo(
        id=row.id,
        name=row.name,
        scope=SessionScope(row.scope),
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        current=row.id == caller.session_id,
    )


def list_devices(rt: Runtime, db: Session, caller: Caller) -> DeviceList:
    """The account's live sessions, the caller's marked ``current``."""
    del rt
    return DeviceList(
        devices=[_device(row, caller) for row in sessions.live_of_account(db, caller.account_id)]
    )


def rename_device(  # noqa: PLR0913 - the caller, the device, the name and its proof
    rt: Runtime, db: Session, caller: Caller, device_id: uuid.UUID, name: str, *, proof: str | None
) -> DeviceInfo:
    """Give one of the account's devices another name (what the lists and mails call it).

    The list of devices is where the owner spots one that is not theirs, so a name is a
    change like any other: a possession proof names the device and the new name.
    """
    possession.require(
        rt,
        db,
        caller,
        proof,
        action=PossessionAction.RENAME_DEVICE,
        target=rename_target(device_id, name),
    )
    row = sessions.rename(db, caller.account_id, device_id, name)
    if row is None:
        raise refuse(ErrorCode.NOT_FOUND, "No device of this account has that id.")
    return _device(row, caller)


def revoke_device(
    rt: Runtime, db: Session, caller: Caller, device_id: uuid.UUID, proof: str | None
) -> None:
    """End one of the account's sessions (a possession proof names it); the owner is told."""
    possession.require(
        rt, db, caller, proof, action=PossessionAction.REVOKE_DEVICE, target=str(device_id)
    )
    now = rt.now()
    removed = sessions.end(db, caller.account_id, device_id, reason=EndReason.REVOKED, now=now)
    if removed is None:
        raise refuse(ErrorCode.NOT_FOUND, "No device of this account has that id.")
    account = _account(db, caller)
    notify.record(
        db,
        caller.account_id,
        EventKind.DEVICE_REVOKED,
        now=now,
        details={"device_name": removed.name, "session_id": str(device_id), "by": caller.name},
    )
    notify.mail(
        rt, db, account.email, "device_revoked", now=now, context={"device_name": removed.name}
    )


def list_events(rt: Runtime, db: Session, caller: Caller) -> EventList:
    """The account's security events, newest first."""
    del rt
    return EventList(
        events=[
            Event(
                id=row.id, kind=EventKind(row.kind), created_at=row.created_at, details=row.details
            )
            for row in events.of_account(db, caller.account_id)
        ]
    )


def _fingerprint(value: bytes) -> str:
    return hashlib.sha256(value).hexdigest()


def export(rt: Runtime, db: Session, caller: Caller) -> AccountExport:
    """Everything the service holds about the account; of the escrow, fingerprints only.

    The auth key, the wrapped data key and the possession key are named by their
    SHA-256, never returned: with them a token holder could test passcode guesses
    against any OPRF evaluation it obtained.
    """
    account = _account(db, caller)
    escrow = passcodes.get(db, account.id)
    summary = None
    if escrow is not None:
        summary = EscrowSummary(
            key_version=escrow.key_version,
            auth_public_key_sha256=_fingerprint(escrow.auth_public_key),
            wrapped_data_key_sha256=_fingerprint(escrow.wrapped_data_key),
            possession_public_key_sha256=_fingerprint(escrow.possession_public_key),
            kdf=kdf.from_json(escrow.kdf),
            tries_left=escrow.tries_left,
            failures=escrow.failures,
            wait_until=escrow.wait_until,
            created_at=escrow.created_at,
            updated_at=escrow.updated_at,
        )
    return AccountExport(
        account_id=account.id,
        email=account.email,
        created_at=account.created_at,
        passcode=summary,
        backups=[
            StoredVersion(
                version=row.version, size=row.size, created_at=row.created_at, data=row.data
            )
            for row in backups.with_data(db, account.id)
        ],
        devices=list_devices(rt, db, caller).devices,
        events=list_events(rt, db, caller).events,
    )


def delete_account(rt: Runtime, db: Session, caller: Caller, proof: str | None) -> None:
    """Delete everything about the account (a possession proof asks); a last mail tells it."""
    possession.require(rt, db, caller, proof, action=PossessionAction.DELETE_ACCOUNT)
    now = rt.now()
    account = _account(db, caller, lock=True)
    email = account.email
    verifications.remove_for_email(db, email)
    accounts.delete_account(db, account.id)
    notify.mail(rt, db, email, "account_deleted", now=now)


def sign_in(rt: Runtime, db: Session, caller: Caller, proof: str | None) -> SessionGranted:
    """A full session for a device that proves it holds the data key; replaces the caller's."""
    possession.require(rt, db, caller, proof, action=PossessionAction.SESSION)
    now = rt.now()
    account = _account(db, caller)
    renewal = caller.scope is SessionScope.FULL
    session = auth.replace(
        rt, db, caller, scope=SessionScope.FULL, origin=auth.Origin.POSSESSION, now=now
    )
    if not renewal:
        notify.record(
            db,
            account.id,
            EventKind.DEVICE_SIGNED_IN,
            now=now,
            details={"device_name": caller.name, "session_id": str(session.session_id)},
        )
        notify.mail(
            rt, db, account.email, "device_signed_in", now=now, context={"device_name": caller.name}
        )
    return SessionGranted(
        session_token=session.session_token,
        session_id=session.session_id,
        scope=SessionScope.FULL,
        account_id=account.id,
        email=account.email,
        has_passcode=True,
        backup_version=backups.latest_version(db, account.id),
    )


def undo_email_change(rt: Runtime, db: Session, undo_id: uuid.UUID) -> str | None:
    """Give the account its old address back (the old address's link); the address, or None.

    The session that made the change ends; the other devices keep theirs.
    """
    now = rt.now()
    change = undos.live(db, undo_id, now=now)
    if change is None:
        return None
    account = accounts.by_id(db, change.account_id, lock=True)
    if account is None or account.email != change.new_email:
        return None
    if not undos.use(db, undo_id, now=now):
        return None
    if not accounts.change_email(db, account.id, change.old_email):
        return None
    sessions.end(db, account.id, change.session_id, reason=EndReason.EMAIL_CHANGE_UNDONE, now=now)
    notify.record(
        db,
        account.id,
        EventKind.EMAIL_CHANGE_UNDONE,
        now=now,
        details={"old": notify.mask_email(change.new_email)},
    )
    notify.mail(rt, db, change.old_email, "email_change_undone", now=now)
    notify.mail(rt, db, change.new_email, "email_change_undone", now=now)
    return change.old_email
