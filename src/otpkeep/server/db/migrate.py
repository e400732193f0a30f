"""Bringing a database to the newest schema, with Alembic configured in code.

A database already at the packaged head is left alone without importing Alembic (or
Mako, which it loads): the head is read from the revision files, the database's revision
from ``alembic_version``, and only when they differ is Alembic imported and run. On
PostgreSQL an advisory lock makes concurrent starts of several processes take turns.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from otpkeep.errors import ConfigurationError
from otpkeep.server.db.engine import is_postgresql

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from alembic.config import Config
    from sqlalchemy.engine import Connection, Engine

MIGRATION_LOCK = 0x6F74_706B  # "otpk"
_REVISION = re.compile(r'^revision\s*=\s*"([^"]+)"', re.MULTILINE)
_DOWN = re.compile(r'^down_revision\s*=\s*"([^"]+)"', re.MULTILINE)


def _migrations() -> Traversable:
    return resources.files("otpkeep.server.db") / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration pointing at the migrations inside the package."""
    from alembic.config import Config  # noqa: PLC0415 - only a migration needs Alembic

    config = Config()
    config.set_main_option("script_location", str(_migrations()))
    config.attributes["connection"] = connection
    return config


@cache
def packaged_head() -> str:
    """The newest revision the package ships: the one no other revision follows."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for entry in (_migrations() / "versions").iterdir():
        if entry.name.endswith(".py") and entry.name[:1].isdigit():
            source = entry.read_text(encoding="utf-8")
            revisions.update(_REVISION.findall(source))
            followed.update(_DOWN.findall(source))
    heads = revisions - followed
    if len(heads) != 1:  # pragma: no cover - a packaging error
        raise ConfigurationError("The packaged migrations do not have exactly one head.")
    return heads.pop()


def database_revision(connection: Connection) -> str | None:
    """The revision the database is at; None for a database without Alembic's table."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest revision (if it is not there)."""
    try:
        with engine.connect() as connection:
            current = database_revision(connection)
            connection.commit()
            if current == packaged_head():
                return
            _upgrade(engine, connection)
    except SQLAlchemyError as exc:
        raise ConfigurationError(
            f"The database cannot be opened or migrated ({type(exc).__name__}): check "
            "OTPKEEP_DATABASE_URL and that the database is running."
        ) from exc


def _upgrade(engine: Engine, connection: Connection) -> None:
    from alembic import command  # noqa: PLC0415 - only a migration needs Alembic

    if is_postgresql(engine):
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
        connection.commit()
    try:
        command.upgrade(alembic_config(connection), "head")
        connection.commit()
    finally:
        if is_postgresql(engine):
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()
