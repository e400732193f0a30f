"""The shipped migrations: they build exactly the tables the code declares."""

from __future__ import annotations

from typing import TYPE_CHECKING

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from otpkeep.server.db.engine import open_engine
from otpkeep.server.db.migrate import alembic_config, migrate
from otpkeep.server.db.schema import metadata

if TYPE_CHECKING:
    from pathlib import Path


def test_migrated_schema_matches_the_models(database_url: str) -> None:
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


def test_migrations_downgrade_to_nothing_and_back(database_url: str) -> None:
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


def test_a_current_database_is_served_without_importing_alembic(
    database_url: str, tmp_path: Path
) -> None:
    """Building the service on a database at the packaged head imports neither Alembic nor
    Mako: they are loaded only when a migration is due."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    script = (
        "import sys\n"
        "from otpkeep.server.app import create_app, dispose\n"
        "from otpkeep.server.settings import Settings\n"
        f"app = create_app(Settings(data_dir={str(tmp_path)!r}, database_url={database_url!r},"
        " mail_delivery='worker'))\n"
        "dispose(app)\n"
        "print(sorted(name for name in sys.modules if name.split('.')[0] in ('alembic', 'mako')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_packaged_head_is_the_newest_revision(database_url: str) -> None:
    """The head read from the revision files is the revision Alembic upgrades to."""
    from otpkeep.server.db.migrate import database_revision, packaged_head  # noqa: PLC0415

    engine = open_engine(database_url)
    try:
        with engine.connect() as connection:
            command.upgrade(alembic_config(connection), "head")
            connection.commit()
            assert database_revision(connection) == packaged_head()
    finally:
        engine.dispose()
