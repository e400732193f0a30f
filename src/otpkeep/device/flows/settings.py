"""Settings of an enabled backup: email, passcode, versions, restore, devices, disable."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from otpkeep.device.backup.gate import cached_config
from otpkeep.device.backup.sync import backup_gone, backup_key, open_remote, upload
from otpkeep.device.flows.passcode import adopt_session, choose_passcode, register_passcode
from otpkeep.device.flows.verify import verify_email
from otpkeep.device.proofs import possession_header
from otpkeep.errors import APIError, BackupError, NotFoundError, ServiceError
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from otpkeep.device.client import ServiceClient
    from otpkeep.device.flows.context import FlowContext


def _enabled(ctx: FlowContext) -> None:
    backup_key(ctx.state())


def change_email(ctx: FlowContext, email: str | None = None) -> str:
    """Verify a new address for the backup; the service tells the old one. The new address.

    The code is only sent once this device proves it holds the backup's key.
    """
    data_key, account_id = backup_key(ctx.state())

    def prove(client: ServiceClient, address: str) -> str:
        return possession_header(
            client,
            data_key=data_key,
            account_id=account_id,
            action=m.PossessionAction.CHANGE_EMAIL,
            target=address.strip().lower(),
        )

    grant = verify_email(ctx, m.Purpose.CHANGE_EMAIL, email, possession=prove)
    if not isinstance(grant, m.EmailChanged):  # pragma: no cover - purpose decides
        raise BackupError("The service answered the verification unexpectedly.")
    return grant.email


def change_passcode(ctx: FlowContext) -> int:
    """A new passcode (and its confirmation); the data key is wrapped again. The key version."""
    state = ctx.state()
    data_key, account_id = backup_key(state)
    blinded = choose_passcode(ctx, cached_config(ctx.vault.load()))
    with ctx.client(state) as client:
        registered = register_passcode(
            client, blinded, account_id=account_id, data_key=data_key, has_passcode=True
        )
        state = ctx.state()
        adopt_session(state, registered.session, client)
    state.key_version = registered.key_version
    state.checkin = blinded.checkin
    ctx.save(state)
    return registered.key_version


def versions(ctx: FlowContext) -> list[m.BackupVersion]:
    """The versions the service keeps, newest first."""
    state = ctx.state()
    backup_key(state)
    with ctx.client(state) as client:
        listed = client.backup_versions().versions
    return sorted(listed, key=lambda v: v.version, reverse=True)


@dataclasses.dataclass(frozen=True)
class RestoreResult:
    """The accounts an older version brought back."""

    version: int
    restored: tuple[str, ...]


def restore(ctx: FlowContext, version: int) -> RestoreResult:
    """Bring back every account of an older version that is missing or deleted here.

    Accounts on the device stay as they are; the restored ones count as a new change,
    so the next backup holds them again.
    """
    state = ctx.state()
    backup_key(state)
    with ctx.client(state) as client:
        try:
            version, sealed = client.get_backup_version(version)
        except APIError as exc:
            if exc.code in {ErrorCode.NOT_FOUND, ErrorCode.NO_BACKUP}:
                raise NotFoundError(
                    f"The service keeps no backup version {version}: "
                    "`otpkeep backup versions` lists them."
                ) from exc
            raise
        older = open_remote(state, sealed, version, latest=False)
        now = ctx.now_ms()
        restored: list[str] = []
        with ctx.vault.transaction() as data:
            for stored in older:
                if stored.deleted or stored.account is None:
                    continue
                here = data.accounts.get(stored.id)
                if here is not None and not here.deleted:
                    continue
                if data.add(stored.account, now, id_=stored.id) is not None:
                    restored.append(stored.account.label)
        if restored:
            try:
                upload(ctx.vault, client, clock=ctx.clock)
            except ServiceError:
                ctx.say("The restored accounts will be backed up with the next command.")
    return RestoreResult(version, tuple(restored))


def disable(ctx: FlowContext) -> bool:
    """Delete the backup at the service after confirmation; the accounts stay on the device."""
    state = ctx.state()
    if not state.enabled and not state.session_token:
        raise BackupError("Backup is already off on this device.")
    if not ctx.prompter.confirm(
        "Delete the backup at the service, with every version? The accounts stay on this device."
    ):
        return False
    with ctx.client(state) as client:
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
        except APIError as exc:
            # A backup already gone, or a session the service ended: off on this device too.
            if not (backup_gone(exc) or exc.code == ErrorCode.UNAUTHORIZED):
                raise
        except BackupError:
            pass  # this device never held the backup's key: only its own state goes
    state.forget_session()
    ctx.save(state)
    return True


def devices(ctx: FlowContext) -> list[m.DeviceInfo]:
    """The devices holding a session for this backup."""
    state = ctx.state()
    if not state.session_token:
        raise BackupError("Backup is off on this device: turn it on with `otpkeep backup enable`.")
    with ctx.client(state) as client:
        return client.devices().devices


def revoke_device(ctx: FlowContext, device_id: str) -> None:
    """End another device's session."""
    state = ctx.state()
    if not state.session_token:
        raise BackupError("Backup is off on this device: turn it on with `otpkeep backup enable`.")
    try:
        target = uuid.UUID(device_id)
    except ValueError:
        raise NotFoundError("No device has that id: `otpkeep devices` lists them.") from None
    data_key, account_id = backup_key(state)
    with ctx.client(state) as client:
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
        except APIError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                raise NotFoundError("No device has that id: `otpkeep devices` lists them.") from exc
            raise
