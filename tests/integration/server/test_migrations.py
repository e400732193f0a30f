"""The shipped migrations: they build exactly the tables the code declares."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from otpkeep.server.db.engine import open_engine
from otpkeep.server.db.migrate import alembic_config, migrate
from otpkeep.server.db.schema import metadata


def test_migrated_schema_matches_the_models(database_url):
    """After the migrations, autogenerate finds no difference from the table classes."""
    engine = open_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_migrations_downgrade_to_nothing_and_back(database_url):
    """Downgrading to base drops every table; upgrading again rebuilds them."""
    engine = open_engine(database_url)
    try:
        migrate(engine)
        with engine.connect() as connection:
            command.downgrade(alembic_config(connection), "base")
            connection.commit()
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert "backups" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
