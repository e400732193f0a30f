"""``otpkeep transfer``: bring a backup to this device with the email and the passcode.

Each passcode try is spent at the service before it answers; a wrong passcode shows
the tries left and waits out any delay the service asks for (with a countdown), then
asks again. Success merges the backup into the local vault (nothing already here is
lost) and registers the same passcode under a new key version at once.
"""

from __future__ import annotations

import dataclasses
import math
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.device.backup.gate import refresh_config
from otpkeep.device.backup.payload import encode_payload
from otpkeep.device.backup.state import BackupState, load_state, save_state
from otpkeep.device.backup.sync import merge_into, open_remote, upload
from otpkeep.device.flows.context import EventKind, FlowContext
from otpkeep.device.flows.passcode import (
    BlindedPasscode,
    adopt_session,
    blind_passcode,
    register_passcode,
)
from otpkeep.device.flows.verify import verify_email
from otpkeep.errors import APIError, BackupError, ServiceError
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from otpkeep.device.client import ServiceClient

NO_BACKUP = (
    "There is no backup for this address: it was never made, was deleted, or was destroyed "
    "after too many wrong passcodes."
)
MAX_WAITS = 20


@dataclasses.dataclass(frozen=True)
class TransferResult:
    """What arrived: the accounts new to this device, and how many were here already."""

    email: str
    arrived: tuple[str, ...]
    already_here: int
    version: int | None


def countdown(ctx: FlowContext, seconds: float) -> None:
    """Wait ``seconds``, reporting the seconds left once a second."""
    remaining = math.ceil(seconds)
    while remaining > 0:
        ctx.say(
            f"Waiting {remaining} s before the next try.",
            EventKind.WAIT,
            seconds_left=remaining,
        )
        ctx.sleep(1.0)
        remaining -= 1


def _evaluate(ctx: FlowContext, client: ServiceClient, blinded: bytes) -> m.RecoveryChallenge:
    for _ in range(MAX_WAITS):
        try:
            return client.recovery_evaluate(blinded)
        except APIError as exc:
            if exc.code in {ErrorCode.NO_BACKUP, ErrorCode.PASSCODE_NOT_SET}:
                raise BackupError(NO_BACKUP) from exc
            if exc.code != ErrorCode.RECOVERY_WAIT:
                raise
            countdown(ctx, exc.retry_after or 1.0)
    raise BackupError("The service keeps asking to wait: try again later.")


def _try_passcode(
    ctx: FlowContext, client: ServiceClient, account_id: uuid.UUID, config: m.ServiceConfig
) -> tuple[m.RecoveryGranted, bytes, BlindedPasscode]:
    """Ask for the passcode until it is right; the grant, the data key, the renewal state."""
    while True:
        passcode = ctx.prompter.passcode()
        recovering, blinded = escrow.start(passcode)
        challenge = _evaluate(ctx, client, blinded)
        recovery = escrow.recover(
            recovering,
            challenge.evaluated_element,
            account_id=account_id,
            key_version=challenge.key_version,
            kdf=challenge.kdf,
            attempt_id=challenge.attempt_id,
            challenge=challenge.challenge,
        )
        try:
            granted = client.recovery_proof(challenge.attempt_id, recovery.signature)
        except APIError as exc:
            if exc.code in {ErrorCode.NO_BACKUP, ErrorCode.PASSCODE_NOT_SET}:
                raise BackupError(NO_BACKUP) from exc
            if exc.code != ErrorCode.PASSCODE_INCORRECT:
                raise
            tries = exc.details.get("tries_left", challenge.tries_left)
            tries_left = tries if isinstance(tries, int) else challenge.tries_left
            if tries_left <= 0:
                raise BackupError(
                    "The passcode was wrong too many times: the backup has been destroyed."
                ) from exc
            ctx.say(
                f"That passcode is not right: {tries_left} "
                f"{'try' if tries_left == 1 else 'tries'} left.",
                EventKind.WRONG_PASSCODE,
                tries_left=tries_left,
            )
            if exc.retry_after:
                countdown(ctx, exc.retry_after)
            continue
        # Only a right passcode pays for the renewal's Argon2id check-in hash.
        renewal = blind_passcode(passcode, ctx, config.kdf)
        del passcode
        return granted, recovery.unwrap(granted.wrapped_data_key), renewal


def _recovery_session(ctx: FlowContext, email: str | None) -> BackupState:
    state = ctx.state()
    same_address = email is None or email.strip().casefold() == state.email.casefold()
    if state.session_token and state.scope is m.SessionScope.RECOVERY and same_address:
        return state
    verify_email(ctx, m.Purpose.TRANSFER, email)
    state = ctx.state()
    if not state.has_passcode or state.scope is not m.SessionScope.RECOVERY:
        raise BackupError(NO_BACKUP)
    return state


def transfer(ctx: FlowContext, email: str | None = None) -> TransferResult:
    """Verify the email, spend passcode tries until one is right, merge the backup in."""
    if ctx.state().enabled:
        raise BackupError(
            "Backup is already on for this device: its accounts are backed up automatically."
        )
    with ctx.client() as client:
        config = refresh_config(ctx.vault, client, now=ctx.clock())
    state = _recovery_session(ctx, email)
    account_id = uuid.UUID(state.account_id)
    with ctx.client(state) as client:
        granted, data_key, renewal = _try_passcode(ctx, client, account_id, config)
        adopt_session(state, granted.session, client)
        state.data_key = data_key
        state.key_version = granted.key_version
        state.has_passcode = True
        state.enabled = True
        state.server_url = ctx.server_url
        state.last_version = None
        ctx.save(state)

        arrived: tuple[str, ...] = ()
        already = 0
        if granted.backup_version is not None:
            version, sealed = client.get_backup()
            remote = open_remote(state, sealed, version)
            with ctx.vault.transaction() as data:
                result = merge_into(data, remote)
                current = load_state(data)
                current.last_version = version
                save_state(data, current)
                # The change hook marks the merge pending; it is only when this device had
                # accounts the backup lacks, and that is settled after the transaction.
                differs = encode_payload(data.accounts.values()) != encode_payload(remote)
            arrived = tuple(s.account.label for s in result.added if s.account is not None)
            already = sum(1 for s in remote if not s.deleted) - len(arrived)
            if not differs:
                state = ctx.state()
                state.pending = False
                ctx.save(state)
        state = ctx.state()
        renewed = register_passcode(
            client,
            renewal,
            account_id=account_id,
            data_key=data_key,
            has_passcode=True,
            renewal=True,
        )
        adopt_session(state, renewed.session, client)
        state.key_version = renewed.key_version
        state.checkin = renewal.checkin
        ctx.save(state)
        if state.pending:
            try:
                upload(ctx.vault, client, clock=ctx.clock)
            except ServiceError:
                ctx.say("The accounts of this device will be backed up with the next command.")
    return TransferResult(state.email, arrived, max(already, 0), state.last_version)
