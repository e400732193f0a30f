"""Opening the database: one engine per process, made safe for concurrent writers.

On SQLite every transaction starts with ``BEGIN IMMEDIATE`` (one writer at a time, so
the counters' ``UPDATE ... WHERE`` statements hold across processes), in WAL mode with
foreign keys on and a busy timeout; within a process the connection pool has a single
connection, so threads queue in Python rather than in SQLite's sleeping busy handler.
On PostgreSQL (psycopg 3) counters rely on row locks and atomic statements. Connections
are not pinged before each use (a round trip on every request): a connection that died
fails its request with a 503, and SQLAlchemy then replaces every pooled connection that
is older than the failure, so the next requests reconnect.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from otpkeep.errors import ConfigurationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000


def open_engine(url: str, *, postgres_pool_size: int = 10) -> Engine:
    """An engine for ``url`` (``sqlite:///...`` or ``postgresql+psycopg://...``).

    On PostgreSQL the process opens at most ``postgres_pool_size`` connections; requests
    beyond that wait for one (up to 30 s, then 503), so processes x pool size must stay
    below ``max_connections``. SQLite always uses one connection per process.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConfigurationError(
            "OTPKEEP_DATABASE_URL is not a database URL: use sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/NAME."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _make_folder(Path(parsed.database).parent)
        engine = create_engine(
            parsed,
            hide_parameters=True,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
        )
        _make_sqlite_safe(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername != "postgresql+psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed,
            hide_parameters=True,
            pool_size=postgres_pool_size,
            max_overflow=0,
            pool_timeout=30,
        )
    raise ConfigurationError(
        "OTPKEEP_DATABASE_URL names a database otpkeep does not support: use SQLite or PostgreSQL."
    )


def _make_folder(folder: Path) -> None:
    """The database's folder, made if missing (mode 0700); one sentence if it cannot be."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigurationError(
            f"The data folder {folder} cannot be created ({exc.strerror}): check "
            "OTPKEEP_DATA_DIR and that the service may write there."
        ) from exc


def _make_sqlite_safe(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Straight to the driver: one statement on every transaction, with no result to read.
        try:
            connection.connection.dbapi_connection.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise DBAPIError.instance(
                "BEGIN IMMEDIATE", None, exc, sqlite3.Error, hide_parameters=True
            ) from exc


def is_postgresql(engine: Engine) -> bool:
    """True when ``engine`` talks to PostgreSQL."""
    return engine.dialect.name == "postgresql"


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit (answers are built after it)."""
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)
