"""Backups: sealed octets stored as numbered versions, never silently overwritten.

An upload names the version it replaces (``If-Match: "N"``, or ``If-None-Match: *`` for
the first); a stale one is refused with the current version, and the unique
(account, version) constraint settles two uploads that race. The last
``versions_kept`` versions are kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import BackupStored, BackupVersion, BackupVersionList, EventKind
from otpkeep.server.db import accounts, backups, challenges, passcodes
from otpkeep.server.refusals import refuse
from otpkeep.server.services import notify

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


@dataclass(frozen=True)
class Precondition:
    """What an upload expects: no backup yet (``expected`` None) or version ``expected``."""

    expected: int | None


@dataclass(frozen=True)
class StoredBackup:
    """One version's octets."""

    version: int
    data: bytes


def parse_precondition(if_match: str | None, if_none_match: str | None) -> Precondition:
    """The precondition of an upload's headers; 428 without one, 422 if malformed."""
    if if_none_match is not None and if_none_match.strip() == "*" and if_match is None:
        return Precondition(expected=None)
    if if_match is not None and if_none_match is None:
        text = if_match.strip().removeprefix("W/").strip('"')
        if text.isascii() and text.isdigit() and len(text) < 10:
            return Precondition(expected=int(text))
        raise refuse(ErrorCode.INVALID_REQUEST, 'If-Match must be a version number, as "N".')
    if if_match is None and if_none_match is None:
        raise refuse(
            ErrorCode.PRECONDITION_REQUIRED,
            'An upload must say which version it replaces: If-Match: "N" or If-None-Match: *.',
        )
    raise refuse(ErrorCode.INVALID_REQUEST, "Send either If-Match or If-None-Match: *, not both.")


def _conflict(current: int | None) -> Exception:
    return refuse(
        ErrorCode.BACKUP_CONFLICT,
        "The backup changed on another device: download it, merge, and upload again.",
        details={"current_version": current},
    )


def upload(
    rt: Runtime, db: Session, caller: Caller, data: bytes, precondition: Precondition
) -> BackupStored:
    """Store ``data`` as the next version, if the caller saw the newest one."""
    now = rt.now()
    if not data:
        raise refuse(ErrorCode.INVALID_REQUEST, "The backup is empty.")
    if not passcodes.exists_for(db, caller.account_id):
        raise refuse(
            ErrorCode.PASSCODE_NOT_SET,
            "Set the backup passcode before the first upload: without it nothing can be restored.",
        )
    current = backups.latest_version(db, caller.account_id)
    if current != precondition.expected:
        raise _conflict(current)
    version = (current or 0) + 1
    stored = backups.insert(db, caller.account_id, version=version, data=data, created_at=now)
    if not stored:
        raise _conflict(backups.latest_version(db, caller.account_id))
    backups.prune(db, caller.account_id, newest=version, keep=rt.settings.versions_kept)
    return BackupStored(version=version, size=len(data), created_at=now)


def download(db: Session, caller: Caller, version: int | None = None) -> StoredBackup:
    """The newest version's octets, or those of ``version``."""
    row = backups.get(db, caller.account_id, version)
    if row is None:
        if version is None:
            raise refuse(ErrorCode.NO_BACKUP, "There is no backup for this account yet.")
        raise refuse(ErrorCode.NOT_FOUND, f"Version {version} of the backup is not kept.")
    return StoredBackup(version=row.version, data=row.data)


def list_versions(db: Session, caller: Caller) -> BackupVersionList:
    """The kept versions, newest first."""
    return BackupVersionList(
        versions=[
            BackupVersion(version=row.version, size=row.size, created_at=row.created_at)
            for row in backups.versions(db, caller.account_id)
        ]
    )


def delete(rt: Runtime, db: Session, caller: Caller) -> None:
    """Delete the backup, the passcode and every version; the owner is told."""
    now = rt.now()
    account = accounts.by_id(db, caller.account_id, lock=True)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    removed = backups.remove_all(db, account.id)
    had_passcode = passcodes.destroy(db, account.id)
    challenges.remove_all(db, account.id)
    notify.record(
        db,
        account.id,
        EventKind.BACKUP_DELETED,
        now=now,
        details={"versions_deleted": removed, "passcode_deleted": had_passcode},
    )
    notify.mail(db, account.email, "backup_deleted", now=now)
