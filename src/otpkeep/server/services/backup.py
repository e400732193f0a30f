"""Backups: sealed octets stored as numbered versions, never silently overwritten.

An upload names the version it replaces (``If-Match: "N"``, or ``If-None-Match: *`` for
the first); a stale one is refused with the current version, and the unique
(account, version) constraint settles two uploads that race. Every upload is signed
under the possession key over the account, the new version and the body's SHA-256, so a
session token alone cannot store anything. The last ``versions_kept`` versions are kept.

Uploads and downloads are the data path: each authenticates its caller itself, from the
same statement that reads what it needs (:mod:`otpkeep.server.db.datapath`), on a Core
connection; the other use cases run in the ORM unit of work behind ``Call``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from otpkeep.crypto import escrow
from otpkeep.protocol import endpoints
from otpkeep.protocol.encoding import b64decode
from otpkeep.protocol.errors import EndReason, ErrorCode
from otpkeep.protocol.messages import (
    BackupStored,
    BackupVersion,
    BackupVersionList,
    EventKind,
    PossessionAction,
)
from otpkeep.server.db import accounts, backups, challenges, datapath, passcodes, sessions
from otpkeep.server.errors import Refusal, refuse
from otpkeep.server.services import auth, notify, possession

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
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


def _conflict(current: int | None) -> Refusal:
    return refuse(
        ErrorCode.BACKUP_CONFLICT,
        "The backup changed on another device: download it, merge, and upload again.",
        details={"current_version": current},
    )


def _bad_signature() -> Refusal:
    return refuse(
        ErrorCode.POSSESSION_PROOF_INVALID,
        "This upload is not signed by a device that holds the backup's key.",
    )


def upload(  # noqa: PLR0913 - the upload and what it claims
    rt: Runtime,
    connection: Connection,
    authorization: str | None,
    data: bytes,
    *,
    precondition: Precondition,
    signature: str | None,
) -> BackupStored:
    """Store ``data`` as the next version, if a full session saw the newest one and signed it.

    One read (the session, the possession key, the newest version), the insert, and the
    pruning of old versions: :mod:`otpkeep.server.db.datapath`.
    """
    now = rt.now()
    token = auth.bearer_token(authorization)
    view = datapath.for_upload(connection, auth.hash_token(token)) if token else None
    if view is None:
        raise auth.not_signed_in()
    public_key = view.possession_public_key
    caller, touch = auth.admit(
        rt,
        view.session,
        scopes=endpoints.UPLOAD.scopes,
        now=now,
        has_passcode=lambda _account: public_key is not None,
    )
    if touch:
        datapath.touch(connection, caller.session_id, now=now)
    if not data:
        raise refuse(ErrorCode.INVALID_REQUEST, "The backup is empty.")
    if public_key is None:
        raise refuse(
            ErrorCode.PASSCODE_NOT_SET,
            "Set the backup passcode before the first upload: without it nothing can be restored.",
        )
    if view.newest != precondition.expected:
        raise _conflict(view.newest)
    version = (view.newest or 0) + 1
    try:
        signed = b64decode(signature or "")
    except ValueError:
        raise _bad_signature() from None
    if not escrow.verify_upload(
        public_key, signed, account_id=caller.account_id, version=version, body=data
    ):
        raise _bad_signature()
    try:
        datapath.store(
            connection,
            caller.account_id,
            version=version,
            data=data,
            created_at=now,
            keep=rt.settings.versions_kept,
        )
    except IntegrityError:
        connection.rollback()
        raise _conflict(datapath.newest(connection, caller.account_id)) from None
    return BackupStored(version=version, size=len(data), created_at=now)


def download(
    rt: Runtime, connection: Connection, authorization: str | None, version: int | None = None
) -> StoredBackup:
    """The newest version's octets, or those of ``version``, for a full session."""
    now = rt.now()
    token = auth.bearer_token(authorization)
    view = datapath.for_download(connection, auth.hash_token(token), version) if token else None
    if view is None:
        raise auth.not_signed_in()
    has_passcode = view.has_passcode
    caller, touch = auth.admit(
        rt,
        view.session,
        scopes=endpoints.DOWNLOAD.scopes,
        now=now,
        has_passcode=lambda _account: has_passcode,
    )
    if touch:
        datapath.touch(connection, caller.session_id, now=now)
    if view.version is None or view.data is None:
        if version is None:
            raise refuse(ErrorCode.NO_BACKUP, "There is no backup for this account yet.")
        raise refuse(ErrorCode.NOT_FOUND, f"Version {version} of the backup is not kept.")
    return StoredBackup(version=view.version, data=view.data)


def list_versions(rt: Runtime, db: Session, caller: Caller) -> BackupVersionList:
    """The kept versions, newest first."""
    del rt
    return BackupVersionList(
        versions=[
            BackupVersion(version=row.version, size=row.size, created_at=row.created_at)
            for row in backups.versions(db, caller.account_id)
        ]
    )


def delete(rt: Runtime, db: Session, caller: Caller, proof: str | None) -> None:
    """Delete the backup, the passcode and every version; every session ends; owner told."""
    possession.require(rt, db, caller, proof, action=PossessionAction.DELETE_BACKUP)
    now = rt.now()
    account = accounts.by_id(db, caller.account_id, lock=True)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    removed = backups.remove_all(db, account.id)
    had_passcode = passcodes.destroy(db, account.id)
    challenges.remove_all(db, account.id)
    ended = sessions.end_all(db, account.id, reason=EndReason.BACKUP_DELETED, now=now)
    notify.record(
        db,
        account.id,
        EventKind.BACKUP_DELETED,
        now=now,
        details={
            "versions_deleted": removed,
            "passcode_deleted": had_passcode,
            "devices_signed_out": ended,
            "device_name": caller.name,
        },
    )
    notify.mail(
        rt, db, account.email, "backup_deleted", now=now, context={"device_name": caller.name}
    )
