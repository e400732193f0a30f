"""Bringing a database to the newest schema, with Alembic configured in code.

On PostgreSQL an advisory lock makes concurrent starts of several processes take turns.
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from otpkeep.errors import ConfigurationError
from otpkeep.server.db.engine import is_postgresql

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

MIGRATION_LOCK = 0x6F74_706B  # "otpk"


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration pointing at the migrations inside the package."""
    config = Config()
    location = resources.files("otpkeep.server.db") / "migrations"
    config.set_main_option("script_location", str(location))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database behind ``engine`` to the newest revision."""
    try:
        with engine.connect() as connection:
            if is_postgresql(engine):
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
            try:
                command.upgrade(alembic_config(connection), "head")
                connection.commit()
            finally:
                if is_postgresql(engine):
                    connection.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK}
                    )
                    connection.commit()
    except SQLAlchemyError as exc:
        raise ConfigurationError(
            f"The database cannot be opened or migrated ({type(exc).__name__}): check "
            "OTPKEEP_DATABASE_URL and that the database is running."
        ) from exc
