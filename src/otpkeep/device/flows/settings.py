"""Settings of an enabled backup: email, passcode, versions, restore, devices, disable.

Those that ask something are flows (:mod:`otpkeep.device.flows.steps`); the others are
plain calls that the front ends make from a worker.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

import pydantic

from otpkeep.device.actions import Action
from otpkeep.device.backup.sync import BACKUP_OFF, backup_gone, backup_key, open_remote, upload
from otpkeep.device.flows.passcode import adopt_session, choose_passcode, register_passcode
from otpkeep.device.flows.steps import Ask, Busy, Flow, Question
from otpkeep.device.flows.verify import verify_email
from otpkeep.device.proofs import possession_header
from otpkeep.errors import (
    BackupError,
    DamagedBackupError,
    InvalidInputError,
    NotFoundError,
    ServiceError,
    ServiceRefusal,
)
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.kinds import rename_target

if TYPE_CHECKING:
    import datetime as dt

    from otpkeep.device.client import ServiceClient
    from otpkeep.device.session import Session
    from otpkeep.device.vault.data import StoredAccount

NO_DEVICE = "No device of this backup has that id."
_SIGNED_OUT = frozenset({ErrorCode.UNAUTHORIZED, ErrorCode.SESSION_ENDED})


def change_email(session: Session, email: str | None = None, *, resend: bool = False) -> Flow[str]:
    """Verify a new address for the backup; the service tells the old one. The new address.

    The code is only sent once this device proves it holds the backup's key; ``resend``
    asks for a new code even when one was sent.
    """
    data_key, account_id = backup_key(session.backup())

    def prove(client: ServiceClient, address: str) -> str:
        return possession_header(
            client,
            data_key=data_key,
            account_id=account_id,
            action=m.PossessionAction.CHANGE_EMAIL,
            target=address.strip().lower(),
        )

    yield from verify_email(session, m.Purpose.CHANGE_EMAIL, email, possession=prove, resend=resend)
    return session.backup().email


def change_passcode(session: Session) -> Flow[int]:
    """A new passcode (and its confirmation); the data key is wrapped again. The key version."""
    data_key, account_id = backup_key(session.backup())
    blinded = yield from choose_passcode(session, session.config(refresh=False), new=True)
    yield Busy("Changing the passcode at the service…")
    with session.client(session.backup()) as client:
        registered = register_passcode(
            client, blinded, account_id=account_id, data_key=data_key, has_passcode=True
        )
        with session.edit() as state:
            adopt_session(state, registered.session, client)
            state.key_version = registered.key_version
            state.checkin = blinded.checkin
    return registered.key_version


@dataclasses.dataclass(frozen=True)
class VersionSummary:
    """A version the service keeps, and what it holds as this device reads it.

    ``accounts`` is None for a version that cannot be opened; ``added`` and ``removed``
    are the accounts it holds that the version before it did not, and the other way
    round (empty for the oldest version kept, which has none before it to compare).
    """

    version: int
    created_at: dt.datetime
    size: int
    accounts: int | None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


def _labels(accounts: list[StoredAccount]) -> dict[str, str]:
    return {s.id: s.account.label for s in accounts if not s.deleted and s.account is not None}


def versions(session: Session) -> list[VersionSummary]:
    """The versions the service keeps, newest first, each opened to say what it holds."""
    state = session.backup()
    backup_key(state)
    opened: list[tuple[m.BackupVersion, dict[str, str] | None]] = []
    with session.client(state) as client:
        listed = sorted(client.backup_versions().versions, key=lambda v: v.version)
        for item in listed:
            try:
                number, sealed = client.get_backup_version(item.version)
                held: dict[str, str] | None = _labels(
                    open_remote(state, sealed, number, latest=False)
                )
            except (DamagedBackupError, NotFoundError):
                held = None
            except ServiceRefusal as exc:
                if exc.code is not ErrorCode.NOT_FOUND:
                    raise
                held = None
            opened.append((item, held))
    summaries: list[VersionSummary] = []
    before: dict[str, str] | None = None
    for index, (item, held) in enumerate(opened):
        added: tuple[str, ...] = ()
        removed: tuple[str, ...] = ()
        if index > 0 and held is not None and before is not None:
            added = tuple(sorted(held[i] for i in held.keys() - before.keys()))
            removed = tuple(sorted(before[i] for i in before.keys() - held.keys()))
        summaries.append(
            VersionSummary(
                item.version,
                item.created_at,
                item.size,
                None if held is None else len(held),
                added,
                removed,
            )
        )
        before = held
    return summaries[::-1]


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    """The accounts an older version brought back."""

    version: int
    restored: tuple[str, ...]
    uploaded: bool = True
    """False when the restored accounts could not be uploaded yet (they are pending)."""


def restore(session: Session, version: int) -> RestoreResult:
    """Bring back every account of an older version that is missing or deleted here.

    Accounts on the device stay as they are; the restored ones count as a new change,
    so the next backup holds them again.
    """
    state = session.backup()
    backup_key(state)
    with session.client(state) as client:
        try:
            version, sealed = client.get_backup_version(version)
        except ServiceRefusal as exc:
            if exc.code in {ErrorCode.NOT_FOUND, ErrorCode.NO_BACKUP}:
                raise NotFoundError(
                    f"The service keeps no backup version {version}.",
                    action=Action.LIST_VERSIONS,
                ) from exc
            raise
        older = open_remote(state, sealed, version, latest=False)
        now = session.now_ms()
        restored: list[str] = []
        with session.vault.transaction() as data:
            for stored in older:
                if stored.deleted or stored.account is None:
                    continue
                here = data.accounts.get(stored.id)
                if here is not None and not here.deleted:
                    continue
                if data.add(stored.account, now, id_=stored.id) is not None:
                    restored.append(stored.account.label)
        uploaded = True
        if restored:
            try:
                upload(session.vault, client, clock=session.clock)
            except ServiceError:
                uploaded = False
    return RestoreResult(version, tuple(restored), uploaded)


DISABLE_QUESTION = (
    "Delete the backup at the service, with every version? Backup turns off on every "
    "device that uses it; the accounts stay on each device."
)


def disable(session: Session) -> Flow[bool]:
    """Delete the backup at the service after confirmation; the accounts stay on the device.

    Every other device of the backup is signed out by it and says so.
    """
    state = session.backup()
    if not state.enabled and not state.session_token:
        raise BackupError("Backup is already off on this device.", action=Action.ENABLE_BACKUP)
    if (yield Question(Ask.CONFIRM, DISABLE_QUESTION)) is not True:
        return False
    yield Busy("Deleting the backup at the service…")
    with session.client(state) as client:
        try:
            data_key, account_id = backup_key(state)
            client.delete_backup(
                possession_header(
                    client,
                    data_key=data_key,
                    account_id=account_id,
                    action=m.PossessionAction.DELETE_BACKUP,
                )
            )
        except ServiceRefusal as exc:
            # A backup already gone, or a session the service ended: off on this device too.
            if not (backup_gone(exc) or exc.code in _SIGNED_OUT):
                raise
        except BackupError:
            pass  # this device never held the backup's key: only its own state goes
    with session.edit() as current:
        current.forget_session()
    return True


def devices(session: Session) -> list[m.DeviceInfo]:
    """The devices holding a session for this backup."""
    state = session.backup()
    if not state.session_token:
        raise BackupError(BACKUP_OFF, action=Action.ENABLE_BACKUP)
    with session.client(state) as client:
        return client.devices().devices


def revoke_device(session: Session, device_id: str) -> None:
    """End another device's session."""
    state = session.backup()
    if not state.session_token:
        raise BackupError(BACKUP_OFF, action=Action.ENABLE_BACKUP)
    try:
        target = uuid.UUID(device_id)
    except ValueError:
        raise NotFoundError(NO_DEVICE, action=Action.REVIEW_DEVICES) from None
    data_key, account_id = backup_key(state)
    with session.client(state) as client:
        try:
            client.revoke_device(
                target,
                possession_header(
                    client,
                    data_key=data_key,
                    account_id=account_id,
                    action=m.PossessionAction.REVOKE_DEVICE,
                    target=str(target),
                ),
            )
        except ServiceRefusal as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                raise NotFoundError(NO_DEVICE, action=Action.REVIEW_DEVICES) from exc
            raise


def rename_device(session: Session, device_id: str, name: str) -> m.DeviceInfo:
    """Give one of the backup's devices (this one too) another name."""
    state = session.backup()
    if not state.session_token:
        raise BackupError(BACKUP_OFF, action=Action.ENABLE_BACKUP)
    try:
        target = uuid.UUID(device_id)
    except ValueError:
        raise NotFoundError(NO_DEVICE, action=Action.REVIEW_DEVICES) from None
    try:
        request = m.DeviceRename(name=name)  # stripped, as the service will store it
    except pydantic.ValidationError:
        raise InvalidInputError(
            "A device name is at most 64 characters, without control characters."
        ) from None
    if not request.name:
        raise InvalidInputError("Give the device a name.")
    data_key, account_id = backup_key(state)
    with session.client(state) as client:
        try:
            proof = possession_header(
                client,
                data_key=data_key,
                account_id=account_id,
                action=m.PossessionAction.RENAME_DEVICE,
                target=rename_target(target, request.name),
            )
            return client.rename_device(target, request, proof)
        except ServiceRefusal as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                raise NotFoundError(NO_DEVICE, action=Action.REVIEW_DEVICES) from exc
            raise
