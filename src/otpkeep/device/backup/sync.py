"""Automatic backups: upload the accounts as a new sealed version, merging on a conflict.

Every upload names the version it replaces (``If-Match``), is sealed for the version it
will become (the version is in the associated data, so the service cannot pass off one
version as another) and is signed under the possession key. When another device got
there first (412), the device downloads the latest, merges it into its vault (see
:mod:`otpkeep.device.backup.merge`) and uploads again, a bounded number of times. A version
older than the newest this device has seen is refused: the service cannot roll the
backup back. An upload that fails leaves the change pending for the next command.
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.device.backup.merge import MergeResult, merge
from otpkeep.device.backup.payload import decode_payload, encode_payload
from otpkeep.device.backup.pending import PENDING_MARKER
from otpkeep.device.backup.state import BackupState, load_state, save_state
from otpkeep.errors import APIError, BackupError, ServiceError
from otpkeep.protocol.errors import EndReason, ErrorCode

if TYPE_CHECKING:
    from collections.abc import Callable

    from otpkeep.device.client import ServiceClient
    from otpkeep.device.vault import Vault
    from otpkeep.device.vault.data import StoredAccount, VaultData

MAX_ROUNDS = 5
_GONE = frozenset({ErrorCode.NO_BACKUP, ErrorCode.NOT_FOUND, ErrorCode.PASSCODE_NOT_SET})
_GONE_REASONS = frozenset({EndReason.BACKUP_DELETED, EndReason.BACKUP_DESTROYED})


def backup_gone(exc: APIError) -> bool:
    """Whether a refusal says the backup itself is gone (deleted or destroyed)."""
    if exc.code in _GONE:
        return True
    return exc.code == ErrorCode.SESSION_ENDED and exc.details.get("reason") in _GONE_REASONS


BACKUP_GONE = (
    "The backup at the service is gone (deleted, or destroyed after too many wrong "
    "passcodes): run `otpkeep backup disable` and then `otpkeep backup enable` to start again."
)


@dataclasses.dataclass(frozen=True)
class SyncResult:
    """An upload that succeeded: the version stored and what the merges brought in."""

    version: int
    accounts: int
    merged: tuple[MergeResult, ...] = ()


def backup_key(state: BackupState) -> tuple[bytes, uuid.UUID]:
    """The data key and account id of an enabled backup."""
    if not state.enabled or state.data_key is None or not state.account_id:
        raise BackupError("Backup is off on this device: turn it on with `otpkeep backup enable`.")
    return state.data_key, uuid.UUID(state.account_id)


ROLLED_BACK = (
    "The backup service sent version {version} of the backup, older than version {seen} "
    "that this device has seen: it was not used. Try again later, and tell the service's "
    "operator if it goes on."
)


def open_remote(
    state: BackupState, sealed: bytes, version: int, *, latest: bool = True
) -> list[StoredAccount]:
    """The accounts of version ``version`` of this account's backup.

    ``latest``: the service says this is the newest version, so it may not be older than
    the newest this device has seen.
    """
    data_key, account_id = backup_key(state)
    if latest and state.last_version is not None and version < state.last_version:
        raise BackupError(ROLLED_BACK.format(version=version, seen=state.last_version))
    plain = escrow.open_backup(data_key, sealed, account_id=account_id, version=version)
    return decode_payload(plain)


def seal_for_upload(state: BackupState, plaintext: bytes) -> tuple[bytes, bytes]:
    """The sealed backup as the version after ``state.last_version``, and its signature."""
    data_key, account_id = backup_key(state)
    version = (state.last_version or 0) + 1
    sealed = escrow.seal_backup(data_key, plaintext, account_id=account_id, version=version)
    signature = escrow.sign_upload(data_key, account_id=account_id, version=version, body=sealed)
    return sealed, signature


def merge_into(data: VaultData, remote: list[StoredAccount]) -> MergeResult:
    """Merge ``remote`` into the vault's accounts (inside a transaction)."""
    result = merge(data.accounts.values(), remote)
    data.accounts.clear()
    data.accounts.update(result.accounts)
    return result


def _marker(vault: Vault, *, pending: bool) -> None:
    marker = vault.home / PENDING_MARKER
    with contextlib.suppress(OSError):
        if pending:
            marker.touch(mode=0o600)
        else:
            marker.unlink(missing_ok=True)


def _record_failure(vault: Vault, message: str, now: float) -> None:
    with vault.transaction() as data:
        state = load_state(data)
        if not state.enabled:
            return
        state.pending = True
        state.last_failure = now
        state.last_error = message
        save_state(data, state)
    _marker(vault, pending=True)


def _fetch_and_merge(vault: Vault, client: ServiceClient) -> tuple[int, MergeResult]:
    try:
        version, sealed = client.get_backup()
    except APIError as exc:
        if backup_gone(exc):
            raise BackupError(BACKUP_GONE) from exc
        raise
    with vault.transaction() as data:
        state = load_state(data)
        result = merge_into(data, open_remote(state, sealed, version))
        state.last_version = version
        state.pending = True
        save_state(data, state)
    return version, result


def _rounds(vault: Vault, client: ServiceClient, clock: Callable[[], float]) -> SyncResult:
    merges: list[MergeResult] = []
    for _ in range(MAX_ROUNDS):
        data = vault.load()
        state = load_state(data)
        plaintext = encode_payload(data.accounts.values())
        sealed, signature = seal_for_upload(state, plaintext)
        try:
            stored = client.put_backup(sealed, if_match=state.last_version, signature=signature)
        except APIError as exc:
            if exc.code not in {ErrorCode.BACKUP_CONFLICT, ErrorCode.PRECONDITION_REQUIRED}:
                raise
            merges.append(_fetch_and_merge(vault, client)[1])
            continue
        with vault.transaction() as data:
            state = load_state(data)
            state.last_version = stored.version
            state.last_success = clock()
            state.last_error = ""
            state.last_failure = None
            state.pending = encode_payload(data.accounts.values()) != plaintext
            save_state(data, state)
        _marker(vault, pending=state.pending)
        return SyncResult(stored.version, len(data.live()), tuple(merges))
    raise BackupError("The backup kept changing on the service: try again in a moment.")


def upload(vault: Vault, client: ServiceClient, *, clock: Callable[[], float]) -> SyncResult:
    """Upload the vault's accounts now; on a conflict merge and retry. Failures stay pending."""
    try:
        return _rounds(vault, client, clock)
    except APIError as exc:
        if backup_gone(exc):
            _record_failure(vault, BACKUP_GONE, clock())
            raise BackupError(BACKUP_GONE) from exc
        _record_failure(vault, str(exc), clock())
        raise
    except (ServiceError, BackupError) as exc:
        _record_failure(vault, str(exc), clock())
        raise
