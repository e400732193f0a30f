"""The statements of the backup data path: upload and download, each as few as the work needs.

An upload reads, in one statement, the session its token names, the escrow's possession
public key and the newest version; then inserts the new version and prunes the old ones.
A download reads the session and the version's octets in one statement. The statements
are built once, here, and run on a Core connection (no ORM session), so a request pays
neither for building them nor for the ORM's unit of work. On PostgreSQL they run in
autocommit mode (:meth:`~otpkeep.server.runtime.Runtime.direct`): an upload is then two
round trips, the read and one statement that inserts and prunes; a race between two
uploads is settled by the unique (account, version) constraint either way.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - a dataclass field
import uuid  # noqa: TC003 - a dataclass field
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import and_, bindparam, delete, func, insert, select, update

from otpkeep.server.db.sessions import SESSION_COLUMNS, SessionInfo
from otpkeep.server.db.tables import BackupRow, PasscodeRow, SessionRow

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

_NEWEST: Final = (
    select(func.max(BackupRow.version))
    .where(BackupRow.account_id == SessionRow.account_id)
    .correlate(SessionRow)
    .scalar_subquery()
)
_HAS_PASSCODE: Final = PasscodeRow.account_id.is_not(None)

UPLOAD_READ: Final = (
    select(*SESSION_COLUMNS, PasscodeRow.possession_public_key, _NEWEST)
    .select_from(SessionRow)
    .outerjoin(PasscodeRow, PasscodeRow.account_id == SessionRow.account_id)
    .where(SessionRow.token_hash == bindparam("token_hash"))
)
DOWNLOAD_NEWEST: Final = (
    select(*SESSION_COLUMNS, _HAS_PASSCODE, BackupRow.version, BackupRow.data)
    .select_from(SessionRow)
    .outerjoin(PasscodeRow, PasscodeRow.account_id == SessionRow.account_id)
    .outerjoin(
        BackupRow, and_(BackupRow.account_id == SessionRow.account_id, BackupRow.version == _NEWEST)
    )
    .where(SessionRow.token_hash == bindparam("token_hash"))
)
DOWNLOAD_VERSION: Final = (
    select(*SESSION_COLUMNS, _HAS_PASSCODE, BackupRow.version, BackupRow.data)
    .select_from(SessionRow)
    .outerjoin(PasscodeRow, PasscodeRow.account_id == SessionRow.account_id)
    .outerjoin(
        BackupRow,
        and_(
            BackupRow.account_id == SessionRow.account_id,
            BackupRow.version == bindparam("version"),
        ),
    )
    .where(SessionRow.token_hash == bindparam("token_hash"))
)
INSERT: Final = insert(BackupRow).values(
    account_id=bindparam("account_id"),
    version=bindparam("version"),
    size=bindparam("size"),
    data=bindparam("data"),
    created_at=bindparam("created_at"),
)
PRUNE: Final = delete(BackupRow).where(
    BackupRow.account_id == bindparam("account_id"), BackupRow.version <= bindparam("oldest")
)
TOUCH: Final = (
    update(SessionRow)
    .where(SessionRow.id == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)
_STORED: Final = (
    insert(BackupRow)
    .values(
        account_id=bindparam("account_id"),
        version=bindparam("version"),
        size=bindparam("size"),
        data=bindparam("data"),
        created_at=bindparam("created_at"),
    )
    .returning(BackupRow.version)
    .cte("stored")
)
STORE_AND_PRUNE: Final = (
    delete(BackupRow)
    .where(
        BackupRow.account_id == bindparam("account_id"),
        BackupRow.version <= select(_STORED.c.version).scalar_subquery() - bindparam("keep"),
    )
    .add_cte(_STORED)
)
"""On PostgreSQL: the insert and the pruning in one statement (one round trip)."""
NEWEST: Final = select(func.max(BackupRow.version)).where(
    BackupRow.account_id == bindparam("account_id")
)


@dataclass(frozen=True, slots=True)
class UploadView:
    """What an upload is checked against: the session, the possession key, the newest version."""

    session: SessionInfo
    possession_public_key: bytes | None
    newest: int | None


@dataclass(frozen=True, slots=True)
class DownloadView:
    """What a download answers from: the session, whether a passcode exists, the octets."""

    session: SessionInfo
    has_passcode: bool
    version: int | None
    data: bytes | None


def _session(values: tuple[Any, ...]) -> SessionInfo:
    return SessionInfo(*values[: len(SESSION_COLUMNS)])


def for_upload(connection: Connection, token_hash: bytes) -> UploadView | None:
    """The session of ``token_hash`` with its account's possession key and newest version."""
    row = connection.execute(UPLOAD_READ, {"token_hash": token_hash}).first()
    if row is None:
        return None
    values = tuple(row)
    return UploadView(_session(values), values[-2], values[-1])


def for_download(
    connection: Connection, token_hash: bytes, version: int | None = None
) -> DownloadView | None:
    """The session of ``token_hash`` with the newest version's octets, or those of ``version``."""
    if version is None:
        row = connection.execute(DOWNLOAD_NEWEST, {"token_hash": token_hash}).first()
    else:
        parameters = {"token_hash": token_hash, "version": version}
        row = connection.execute(DOWNLOAD_VERSION, parameters).first()
    if row is None:
        return None
    values = tuple(row)
    return DownloadView(_session(values), bool(values[-3]), values[-2], values[-1])


def touch(connection: Connection, session_id: uuid.UUID, *, now: dt.datetime) -> None:
    """Record that the session was just used."""
    connection.execute(TOUCH, {"session_id": session_id, "now": now})


def store(  # noqa: PLR0913 - one value per column
    connection: Connection,
    account_id: uuid.UUID,
    *,
    version: int,
    data: bytes,
    created_at: dt.datetime,
    keep: int,
) -> None:
    """Insert version ``version`` and delete every version older than the last ``keep``.

    Raises ``IntegrityError`` when the version was taken meanwhile (the unique constraint).
    On PostgreSQL both are one statement.
    """
    if connection.dialect.name == "postgresql":
        parameters = {
            "account_id": account_id,
            "version": version,
            "size": len(data),
            "data": data,
            "created_at": created_at,
            "keep": keep,
        }
        connection.execute(STORE_AND_PRUNE, parameters)
        return
    connection.execute(
        INSERT,
        {
            "account_id": account_id,
            "version": version,
            "size": len(data),
            "data": data,
            "created_at": created_at,
        },
    )
    if version > keep:
        connection.execute(PRUNE, {"account_id": account_id, "oldest": version - keep})


def newest(connection: Connection, account_id: uuid.UUID) -> int | None:
    """The account's newest version, for the answer to an upload that lost a race."""
    value = connection.execute(NEWEST, {"account_id": account_id}).scalar()
    return None if value is None else int(value)
