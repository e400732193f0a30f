"""``otpkeep backup enable``: the gate, email verification, the passcode, the first backup."""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.device.backup.gate import check_gate, refresh_config
from otpkeep.device.backup.sync import upload
from otpkeep.device.flows.passcode import adopt_session, choose_passcode, register_passcode
from otpkeep.device.flows.verify import mask_email, verify_email
from otpkeep.errors import APIError, BackupError
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from otpkeep.device.flows.context import FlowContext


@dataclasses.dataclass(frozen=True)
class EnableResult:
    """What the first backup holds."""

    email: str
    version: int
    labels: tuple[str, ...]


def _already_has_backup(email: str) -> BackupError:
    return BackupError(
        f"{mask_email(email)} already has a backup: run `otpkeep transfer` to bring it to "
        "this device (the accounts already here are kept)."
    )


def enable_backup(ctx: FlowContext, email: str | None = None) -> EnableResult:
    """Turn backup on: refused unless an account of the ecosystem is on the device."""
    state = ctx.state()
    if state.enabled:
        raise BackupError(
            f"Backup is already on for {mask_email(state.email)}: `otpkeep backup status` shows it."
        )
    with ctx.client() as client:
        config = refresh_config(ctx.vault, client, now=ctx.clock())
    gate = check_gate(ctx.vault.load(), config)
    if not gate.open:
        raise BackupError(
            f"Backup needs an account of {gate.names()} on this device: add one first."
        )

    same_address = email is None or email.strip().casefold() == state.email.casefold()
    setup = state.session_token and state.scope is m.SessionScope.SETUP
    if not (setup and same_address):
        grant = verify_email(ctx, m.Purpose.ENABLE, email)
        if not isinstance(grant, m.SessionGranted):  # pragma: no cover - purpose decides
            raise BackupError("The service answered the verification unexpectedly.")
        state = ctx.state()
    if state.has_passcode or state.scope is not m.SessionScope.SETUP:
        # The session is a recovery session: `otpkeep transfer` goes on with it.
        raise _already_has_backup(state.email)

    blinded = choose_passcode(ctx, config)
    state = ctx.state()
    if state.data_key is None:
        state.data_key = escrow.new_data_key()
        state.server_url = ctx.server_url
        ctx.save(state)  # the key is kept before the service can hold it wrapped
    with ctx.client(state) as client:
        try:
            registered = register_passcode(
                client,
                blinded,
                account_id=uuid.UUID(state.account_id),
                data_key=state.data_key,
                has_passcode=False,
            )
        except APIError as exc:
            if exc.code == ErrorCode.PASSCODE_EXISTS:
                state = ctx.state()
                state.has_passcode = True
                state.scope = m.SessionScope.RECOVERY
                ctx.save(state)
                raise _already_has_backup(state.email) from exc
            raise
        adopt_session(state, registered.session, client)
        state.key_version = registered.key_version
        state.has_passcode = True
        state.enabled = True
        state.pending = True
        state.checkin = blinded.checkin
        ctx.save(state)
        result = upload(ctx.vault, client, clock=ctx.clock)
    labels = tuple(s.account.label for s in ctx.vault.load().live() if s.account is not None)
    return EnableResult(email=state.email, version=result.version, labels=labels)
