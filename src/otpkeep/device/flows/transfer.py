"""Bring a backup to this device with its email and passcode.

Each passcode try is spent at the service before it answers; a wrong passcode says how
many tries are left and waits out any delay the service asks for (the front end counts
it down), then asks again. Success merges the backup into the vault (nothing already
here is lost) and registers the same passcode under a new key version at once, so the
passcode that was just typed is never kept.
"""

from __future__ import annotations

import dataclasses
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.device.actions import Action
from otpkeep.device.backup.payload import encode_payload
from otpkeep.device.backup.state import BackupState
from otpkeep.device.backup.sync import merge_into, open_remote, upload
from otpkeep.device.flows.passcode import (
    BlindedPasscode,
    adopt_session,
    blind_passcode,
    register_passcode,
)
from otpkeep.device.flows.steps import BACK, Ask, Busy, Flow, Note, Question, Say, Wait
from otpkeep.device.flows.verify import verify_email
from otpkeep.errors import BackupError, ServiceError, ServiceRefusal
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode
from otpkeep.words import counted

if TYPE_CHECKING:
    from otpkeep.device.client import ServiceClient
    from otpkeep.device.session import Session

NO_BACKUP = (
    "There is no backup for this address: it was never made, was deleted, or was destroyed "
    "after too many wrong passcodes."
)
DESTROYED = "The passcode was wrong too many times: the backup has been destroyed."
MAX_WAITS = 20
_NONE_THERE = frozenset({ErrorCode.NO_BACKUP, ErrorCode.PASSCODE_NOT_SET})


@dataclasses.dataclass(frozen=True)
class TransferResult:
    """What arrived: the accounts new to this device, and how many were here already."""

    email: str
    arrived: tuple[str, ...]
    already_here: int
    version: int | None


def _waiting(seconds: float) -> Wait:
    return Wait(seconds, "The service asks to wait before the next try.")


def _evaluate(client: ServiceClient, blinded: bytes) -> Flow[m.RecoveryChallenge]:
    """Ask the service to evaluate the blinded passcode, sitting out the waits it asks for."""
    for _ in range(MAX_WAITS):
        try:
            return client.recovery_evaluate(blinded)
        except ServiceRefusal as exc:
            if exc.code in _NONE_THERE:
                raise BackupError(NO_BACKUP) from exc
            if exc.code is not ErrorCode.RECOVERY_WAIT:
                raise
            yield _waiting(exc.retry_after or 1.0)
    raise BackupError("The service keeps asking to wait: try again later.")


@dataclasses.dataclass(frozen=True)
class _Recovered:
    granted: m.RecoveryGranted
    data_key: bytes = dataclasses.field(repr=False)
    renewal: BlindedPasscode = dataclasses.field(repr=False)


def _spend_tries(
    session: Session,
    client: ServiceClient,
    account_id: uuid.UUID,
    config: m.ServiceConfig,
    *,
    back: bool,
) -> Flow[_Recovered | None]:
    """Ask for the passcode until it is right; None when the person goes back."""
    while True:
        passcode = yield Question(Ask.PASSCODE, back=back)
        if passcode is BACK:
            return None
        if not isinstance(passcode, str) or not passcode:
            continue
        yield Busy("Checking the passcode with the service…")
        recovering, blinded = escrow.start(passcode)
        challenge = yield from _evaluate(client, blinded)
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
        except ServiceRefusal as exc:
            if exc.code in _NONE_THERE:
                raise BackupError(NO_BACKUP) from exc
            if exc.code is not ErrorCode.PASSCODE_INCORRECT:
                raise
            told = exc.details.get("tries_left", challenge.tries_left)
            tries_left = told if isinstance(told, int) else challenge.tries_left
            if tries_left <= 0:
                raise BackupError(DESTROYED, action=Action.RESTART_BACKUP) from exc
            yield Say(
                Note.WRONG_PASSCODE,
                f"That passcode is not right: {counted(tries_left, 'try')} left.",
                tries_left=tries_left,
            )
            if exc.retry_after:
                yield _waiting(exc.retry_after)
            continue
        yield Busy("Protecting the passcode on this device…")
        # Only a right passcode pays for the renewal's Argon2id check-in hash.
        renewal = blind_passcode(passcode, session, config.kdf)
        del passcode
        return _Recovered(granted, recovery.unwrap(granted.wrapped_data_key), renewal)


def _recovery_session(session: Session, email: str | None, *, resend: bool) -> Flow[BackupState]:
    """A session that may spend passcode tries: the one held, or a newly verified one."""
    state = session.backup()
    same_address = email is None or email.strip().casefold() == state.email.casefold()
    # A session just verified for this address (by ``otpkeep verify`` or the link) is held
    # too: a setup session says there is no backup here, without a second code.
    mailbox = {m.SessionScope.RECOVERY, m.SessionScope.SETUP}
    held = state.session_token and state.scope in mailbox and same_address
    if resend or not held:
        yield from verify_email(session, m.Purpose.TRANSFER, email, resend=resend)
        state = session.backup()
    if not state.has_passcode or state.scope is not m.SessionScope.RECOVERY:
        raise BackupError(NO_BACKUP)
    return state


def transfer(
    session: Session, email: str | None = None, *, resend: bool = False
) -> Flow[TransferResult]:
    """Verify the email, spend passcode tries until one is right, merge the backup in.

    ``resend``: ask for a new code even when one was sent. Back at the passcode question
    asks for the address again.
    """
    if session.backup().enabled:
        raise BackupError(
            "Backup is already on for this device: its accounts are backed up automatically.",
            action=Action.SHOW_STATUS,
        )
    yield Busy("Asking the service for its settings…")
    config = session.config()
    while True:
        state = yield from _recovery_session(session, email, resend=resend)
        with session.client(state) as client:
            recovered = yield from _spend_tries(
                session, client, uuid.UUID(state.account_id), config, back=email is None
            )
            if recovered is None:
                email, resend = None, False
                with session.edit() as current:
                    current.session_token = ""  # a new address needs a new verification
                continue
            yield Busy("Bringing the accounts to this device…")
            return (yield from _arrive(session, client, state, recovered))


def _arrive(
    session: Session, client: ServiceClient, state: BackupState, recovered: _Recovered
) -> Flow[TransferResult]:
    """Keep the key, merge the backup in, renew the passcode, upload what only this device had."""
    granted = recovered.granted
    account_id = uuid.UUID(state.account_id)
    with session.edit() as current:
        adopt_session(current, granted.session, client)
        current.data_key = recovered.data_key
        current.key_version = granted.key_version
        current.has_passcode = True
        current.enabled = True
        current.server_url = session.server_url()
        current.last_version = None
        current.signed_out = None
        current.pending = granted.backup_version is None  # nothing stored yet: upload ours
    arrived: tuple[str, ...] = ()
    already = 0
    differs = True
    if granted.backup_version is not None:
        version, sealed = client.get_backup()
        remote = open_remote(session.backup(), sealed, version)
        with session.vault.transaction() as data:
            result = merge_into(data, remote)
            current = data.state.get(BackupState)
            current.last_version = version
            differs = encode_payload(data.accounts.values()) != encode_payload(remote)
        arrived = tuple(s.account.label for s in result.added if s.account is not None)
        already = sum(1 for s in remote if not s.deleted) - len(arrived)
    renewed = register_passcode(
        client,
        recovered.renewal,
        account_id=account_id,
        data_key=recovered.data_key,
        has_passcode=True,
        renewal=True,
    )
    with session.edit() as current:
        adopt_session(current, renewed.session, client)
        current.key_version = renewed.key_version
        current.checkin = recovered.renewal.checkin
        # The change hook marked the merge pending; an upload is only due when this
        # device had accounts the backup lacks.
        current.pending = pending = current.pending and differs
    if pending:
        try:
            upload(session.vault, client, clock=session.clock)
        except ServiceError:
            yield Say(Note.INFO, "The accounts of this device will be backed up soon.")
    final = session.backup()
    return TransferResult(final.email, arrived, max(already, 0), final.last_version)
