"""Turning backup on: the gate, email verification, the passcode, the first backup.

The same flow brings back a device that still holds the backup but was signed out (its
session was revoked, replaced or ended): it verifies the address again and signs in
with the data key, without a passcode (:func:`sign_in_again`).
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.device.actions import Action
from otpkeep.device.backup.gate import check_gate
from otpkeep.device.backup.sync import upload
from otpkeep.device.flows.passcode import adopt_session, choose_passcode, register_passcode
from otpkeep.device.flows.steps import Busy, Flow, Note, Say
from otpkeep.device.flows.verify import verify_email
from otpkeep.device.proofs import possession_header
from otpkeep.errors import BackupError, ServiceError, ServiceRefusal
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from otpkeep.device.session import Session


@dataclasses.dataclass(frozen=True)
class EnableResult:
    """What the first backup holds (``reconnected``: the device signed in again instead)."""

    email: str
    version: int | None
    labels: tuple[str, ...]
    reconnected: bool = False


def _already_has_backup(email: str) -> BackupError:
    return BackupError(
        f"{email} already has a backup: transfer it to this device with its passcode "
        "(the accounts already here are kept).",
        action=Action.TRANSFER,
    )


def enable_backup(
    session: Session, email: str | None = None, *, resend: bool = False
) -> Flow[EnableResult]:
    """Turn backup on: refused unless an account of the ecosystem is on the device."""
    state = session.backup()
    if state.enabled and (state.signed_out or state.scope is m.SessionScope.RECOVERY):
        return (yield from sign_in_again(session, email, resend=resend))
    if state.enabled:
        raise BackupError(f"Backup is already on for {state.email}.", action=Action.SHOW_STATUS)
    yield Busy("Asking the service which accounts open backup…")
    config = session.config()
    gate = check_gate(session.load(), config)
    if not gate.open:
        raise BackupError(
            f"Backup needs an account of {gate.names()} on this device: add one first."
        )

    same_address = email is None or email.strip().casefold() == state.email.casefold()
    setup = bool(state.session_token) and state.scope is m.SessionScope.SETUP
    if not (setup and same_address) or resend:
        yield from verify_email(session, m.Purpose.ENABLE, email, resend=resend)
        state = session.backup()
    if state.has_passcode or state.scope is not m.SessionScope.SETUP:
        # A recovery session: a transfer goes on with it, without a new code.
        raise _already_has_backup(state.email)

    blinded = yield from choose_passcode(session, config)
    with session.edit() as current:
        if current.data_key is None:
            current.data_key = escrow.new_data_key()  # kept before the service holds it wrapped
            current.server_url = session.server_url()
        state = dataclasses.replace(current)
        data_key = current.data_key
    yield Busy("Turning backup on…")
    with session.client(state) as client:
        try:
            registered = register_passcode(
                client,
                blinded,
                account_id=uuid.UUID(state.account_id),
                data_key=data_key,
                has_passcode=False,
            )
        except ServiceRefusal as exc:
            if exc.code is ErrorCode.PASSCODE_EXISTS:
                with session.edit() as current:
                    current.has_passcode = True
                    current.scope = m.SessionScope.RECOVERY
                raise _already_has_backup(state.email) from exc
            raise
        with session.edit() as current:
            adopt_session(current, registered.session, client)
            current.key_version = registered.key_version
            current.has_passcode = True
            current.enabled = True
            current.pending = True
            current.checkin = blinded.checkin
        result = upload(session.vault, client, clock=session.clock)
    labels = tuple(s.account.label for s in session.load().live() if s.account is not None)
    return EnableResult(email=state.email, version=result.version, labels=labels)


def sign_in_again(
    session: Session, email: str | None = None, *, resend: bool = False
) -> Flow[EnableResult]:
    """Verify the backup's address again and sign in with the data key this device holds."""
    state = session.backup()
    if state.data_key is None or not state.account_id:
        raise BackupError("This device does not hold the backup's key: transfer the backup.",
                          action=Action.TRANSFER)  # fmt: skip
    verified = state.scope is m.SessionScope.RECOVERY and not state.signed_out
    if resend or not verified:
        yield Say(
            Note.INFO,
            f"This device was signed out of the backup of {state.email}: verify the address "
            "to sign it in again.",
        )
        yield from verify_email(session, m.Purpose.ENABLE, email or state.email, resend=resend)
        state = session.backup()
    if state.scope is not m.SessionScope.RECOVERY or state.data_key is None:
        raise BackupError(
            f"{state.email} has no backup any more: turn backup on again to make a new one.",
            action=Action.RESTART_BACKUP,
        )
    yield Busy("Signing in with the backup's key…")
    with session.client(state) as client:
        header = possession_header(
            client,
            data_key=state.data_key,
            account_id=uuid.UUID(state.account_id),
            action=m.PossessionAction.SESSION,
        )
        granted = client.sign_in(header)
        with session.edit() as current:
            current.session_token = granted.session_token
            current.session_id = str(granted.session_id)
            current.scope = granted.scope
            current.signed_out = None
            current.last_version = max(current.last_version or 0, granted.backup_version or 0)
            current.pending = True
        client.token = granted.session_token
        version = None
        try:
            version = upload(session.vault, client, clock=session.clock).version
        except ServiceError:
            yield Say(Note.INFO, "The accounts of this device will be backed up soon.")
    return EnableResult(email=granted.email, version=version, labels=(), reconnected=True)
