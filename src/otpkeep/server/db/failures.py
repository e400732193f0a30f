"""What a database error means for the service: the disk is full, or the database is away.

Both are the database's problem, not the request's: the service answers 503
``service_unavailable`` with ``Retry-After`` and says which one it is, in the answer and
in the log. SQLite says "database or disk is full" (``SQLITE_FULL``); PostgreSQL raises
``DiskFull`` (SQLSTATE 53100). Anything else from the driver's connection (refused, reset,
no pooled connection within the pool's timeout) is an unreachable database.
"""

from __future__ import annotations

import enum
import sqlite3

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

SQLITE_FULL = 13
POSTGRES_DISK_FULL = "53100"


class Outage(enum.Enum):
    """Why the database cannot do the work now."""

    DISK_FULL = "database_disk_full"
    UNREACHABLE = "database_unreachable"


def _disk_full(error: BaseException | None) -> bool:
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) == SQLITE_FULL or (
            "database or disk is full" in str(error)
        )
    return getattr(error, "sqlstate", None) == POSTGRES_DISK_FULL


def outage(error: BaseException) -> Outage | None:
    """The outage ``error`` stands for, or None when it is not the database's fault."""
    if isinstance(error, DBAPIError) and _disk_full(error.orig):
        return Outage.DISK_FULL
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeoutError):
        return Outage.UNREACHABLE
    return None
