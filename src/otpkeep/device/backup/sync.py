"""Automatic backups: upload the accounts as a new sealed version, merging on a conflict.

Every upload names the version it replaces (``If-Match``), is sealed for the version it
will become (the version is in the associated data, so the service cannot pass off one
version as another) and is signed under the possession key. When another device got
there first (412), the device downloads the latest, merges it into its vault (see
:mod:`otpkeep.device.backup.merge`) and uploads again, a bounded number of times. A version
older than the newest this device has seen is refused: the service cannot roll the
backup back. An upload that fails leaves the change pending for the next command, and
an upload of what the backup already holds is not made.

A newest version that does not decrypt or parse (storage damage, a faulty app) would
stop every upload for good. It is reported once, by number (``BackupState.damaged``),
and healed: automatically when nothing can be lost — this device holds every account
of the newest version that does open — else by :func:`heal`, which first merges that
version in and then uploads over the damaged one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.device.actions import Action
from otpkeep.device.backup.merge import MergeResult, merge
from otpkeep.device.backup.payload import compress, decode_payload, encode_payload
from otpkeep.device.backup.pending import PENDING_MARKER
from otpkeep.device.backup.state import BackupState
from otpkeep.errors import (
    BackupError,
    DamagedBackupError,
    DecryptionError,
    OtpkeepError,
    ServiceError,
    ServiceRefusal,
    ServiceUnavailableError,
)
from otpkeep.protocol.errors import EndReason, ErrorCode

if TYPE_CHECKING:
    from collections.abc import Callable

    from otpkeep.device.client import ServiceClient
    from otpkeep.device.vault import Vault
    from otpkeep.device.vault.data import StoredAccount, VaultData

MAX_ROUNDS = 5
BACKUP_OFF = "Backup is off on this device."
_GONE = frozenset({ErrorCode.NO_BACKUP, ErrorCode.NOT_FOUND, ErrorCode.PASSCODE_NOT_SET})
_GONE_REASONS = frozenset({EndReason.BACKUP_DELETED, EndReason.BACKUP_DESTROYED})


def backup_gone(exc: ServiceRefusal) -> bool:
    """Whether a refusal says the backup itself is gone (deleted or destroyed)."""
    if exc.code in _GONE:
        return True
    return exc.code == ErrorCode.SESSION_ENDED and exc.details.get("reason") in _GONE_REASONS


BACKUP_GONE = (
    "The backup at the service is gone (deleted, or destroyed after too many wrong passcodes)."
)
TURNED_OFF = "Backup is off on this device; its accounts are kept."


DAMAGED = (
    "Version {version} of the backup at the service cannot be opened (damaged, or written "
    "by a faulty app)."
)
HEAL = "This device's accounts can be uploaded over it."


@dataclasses.dataclass(frozen=True)
class SyncResult:
    """An upload that succeeded (or was not needed: ``stored`` False, the backup already
    holds these accounts): the version, and what the merges brought in."""

    version: int
    accounts: int
    merged: tuple[MergeResult, ...] = ()
    stored: bool = True
    healed: int | None = None
    """The damaged version this upload replaced, if it replaced one."""


def backup_key(state: BackupState) -> tuple[bytes, uuid.UUID]:
    """The data key and account id of an enabled backup."""
    if not state.enabled or state.data_key is None or not state.account_id:
        raise BackupError(BACKUP_OFF, action=Action.ENABLE_BACKUP)
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
    try:
        plain = escrow.open_backup(data_key, sealed, account_id=account_id, version=version)
        return decode_payload(plain)
    except (DecryptionError, DamagedBackupError) as exc:
        raise DamagedBackupError(
            DAMAGED.format(version=version), version=version, action=Action.HEAL_BACKUP
        ) from exc


def seal_for_upload(state: BackupState, plaintext: bytes) -> tuple[bytes, bytes]:
    """The sealed backup as the version after ``state.last_version``, and its signature."""
    data_key, account_id = backup_key(state)
    version = (state.last_version or 0) + 1
    sealed = escrow.seal_backup(
        data_key, compress(plaintext), account_id=account_id, version=version
    )
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


UNAVAILABLE = "unavailable"
"""The kind of a failure to reach the service (``BackupState.last_error_kind``)."""


def _record_failure(vault: Vault, error: OtpkeepError | str, now: float) -> None:
    if isinstance(error, ServiceUnavailableError):
        kind = UNAVAILABLE
    elif isinstance(error, ServiceRefusal) and error.code is not None:
        kind = str(error.code)
    else:
        kind = ""
    with vault.transaction() as data:
        state = data.state.get(BackupState)
        if not state.enabled:
            return
        state.pending = True
        state.last_failure = now
        state.last_error = str(error)
        state.last_error_kind = kind
    _marker(vault, pending=True)


def _digest(plaintext: bytes) -> str:
    return hashlib.sha256(plaintext).hexdigest()


def _newest_good(
    client: ServiceClient, state: BackupState, below: int
) -> tuple[int, list[StoredAccount]] | None:
    """The newest version older than ``below`` that opens, and its accounts; None if none."""
    listed = sorted((v.version for v in client.backup_versions().versions), reverse=True)
    for number in (v for v in listed if v < below):
        try:
            version, sealed = client.get_backup_version(number)
            return version, open_remote(state, sealed, version, latest=False)
        except DamagedBackupError:
            continue
        except ServiceRefusal as exc:
            if exc.code is not ErrorCode.NOT_FOUND:
                raise
    return None


def _holds_all(data: VaultData, accounts: list[StoredAccount]) -> bool:
    """Whether merging ``accounts`` in would change nothing on this device."""
    result = merge(data.accounts.values(), accounts)
    return not (result.added or result.changed or result.removed)


def _remember_damage(vault: Vault, version: int) -> None:
    with vault.transaction() as data:
        state = data.state.get(BackupState)
        if state.enabled:
            state.damaged = version
            state.pending = True


def _over_damaged(
    vault: Vault, client: ServiceClient, damaged: DamagedBackupError, *, merge_good: bool
) -> MergeResult | None:
    """Make the next upload replace the damaged newest version; refuse when that could lose
    an account, unless ``merge_good`` (then the newest good version is merged in first)."""
    version = damaged.version
    if version is None:  # pragma: no cover - open_remote always names it
        raise damaged
    state = vault.load().state.get(BackupState)
    good = _newest_good(client, state, version)
    merged = None
    if good is not None and not _holds_all(vault.load(), good[1]):
        if not merge_good:
            _remember_damage(vault, version)
            raise DamagedBackupError(
                f"{damaged} {HEAL} Version {good[0]} has accounts this device does not: they "
                "are merged in first.",
                version=version,
                action=Action.HEAL_BACKUP,
            ) from damaged
        with vault.transaction() as data:
            merged = merge_into(data, good[1])
    with vault.transaction() as data:
        current = data.state.get(BackupState)
        current.last_version = version
        current.damaged = version
        current.pending = True
    return merged


def _fetch_and_merge(
    vault: Vault, client: ServiceClient, *, heal: bool
) -> tuple[int, MergeResult | None]:
    try:
        version, sealed = client.get_backup()
    except ServiceRefusal as exc:
        if backup_gone(exc):
            raise BackupError(BACKUP_GONE, action=Action.RESTART_BACKUP) from exc
        raise
    try:
        remote = open_remote(vault.load().state.get(BackupState), sealed, version)
    except DamagedBackupError as damaged:
        return version, _over_damaged(vault, client, damaged, merge_good=heal)
    with vault.transaction() as data:
        state = data.state.get(BackupState)
        result = merge_into(data, remote)
        state.last_version = version
        state.uploaded = _digest(encode_payload(remote))
        state.pending = True
        state.damaged = None
    return version, result


def _rounds(
    vault: Vault, client: ServiceClient, clock: Callable[[], float], *, heal: bool = False
) -> SyncResult:
    merges: list[MergeResult] = []
    for _ in range(MAX_ROUNDS):
        data = vault.load()
        state = data.state.get(BackupState)
        plaintext = encode_payload(data.accounts.values())
        if (
            not heal
            and state.damaged is None
            and state.last_version is not None
            and state.uploaded == _digest(plaintext)
        ):
            # The backup holds these accounts already: only news from other devices counts.
            newest = max((v.version for v in client.backup_versions().versions), default=None)
            if newest is None or newest <= state.last_version:
                _settled(vault, clock)
                return SyncResult(state.last_version, len(data.live()), tuple(merges), stored=False)
            merged = _fetch_and_merge(vault, client, heal=heal)[1]
            if merged is not None:
                merges.append(merged)
            continue
        sealed, signature = seal_for_upload(state, plaintext)
        try:
            stored = client.put_backup(sealed, if_match=state.last_version, signature=signature)
        except ServiceRefusal as exc:
            if exc.code not in {ErrorCode.BACKUP_CONFLICT, ErrorCode.PRECONDITION_REQUIRED}:
                raise
            merged = _fetch_and_merge(vault, client, heal=heal)[1]
            if merged is not None:
                merges.append(merged)
            continue
        marks = [stored.mark() for stored in data.accounts.values()]
        with vault.transaction() as data:
            state = data.state.get(BackupState)
            healed = state.damaged
            state.last_version = stored.version
            state.uploaded = _digest(plaintext)
            state.damaged = None
            # Changed meanwhile (another command): still pending, for the next upload.
            state.pending = [s.mark() for s in data.accounts.values()] != marks
            state.last_success = clock()
            state.last_error = ""
            state.last_error_kind = ""
            state.last_failure = None
        _marker(vault, pending=state.pending)
        return SyncResult(stored.version, len(data.live()), tuple(merges), healed=healed)
    raise BackupError("The backup kept changing on the service: try again in a moment.")


def _settled(vault: Vault, clock: Callable[[], float], *, pending: bool = False) -> None:
    """The backup holds this device's accounts (as of now): no failure to report."""
    with vault.transaction() as data:
        state = data.state.get(BackupState)
        state.last_success = clock()
        state.last_error = ""
        state.last_error_kind = ""
        state.last_failure = None
        state.pending = pending
    _marker(vault, pending=pending)


def _gone(vault: Vault, now: float) -> BackupError:
    """The backup is gone at the service: say so, as backup is still on here or not."""
    if not vault.load().state.get(BackupState).enabled:
        # The session's end said why, and the device turned backup off (see Session).
        return BackupError(f"{BACKUP_GONE} {TURNED_OFF}", action=Action.ENABLE_BACKUP)
    _record_failure(vault, BACKUP_GONE, now)
    return BackupError(BACKUP_GONE, action=Action.RESTART_BACKUP)


def upload(
    vault: Vault, client: ServiceClient, *, clock: Callable[[], float], heal: bool = False
) -> SyncResult:
    """Upload the vault's accounts now; on a conflict merge and retry. Failures stay pending.

    ``heal``: the newest version is damaged and the person asked to upload over it (the
    newest version that opens is merged in first).
    """
    try:
        return _rounds(vault, client, clock, heal=heal)
    except ServiceRefusal as exc:
        if backup_gone(exc):
            raise _gone(vault, clock()) from exc
        _record_failure(vault, exc, clock())
        raise
    except (ServiceError, BackupError) as exc:
        _record_failure(vault, exc, clock())
        raise
