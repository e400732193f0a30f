"""Alembic's environment, configured by :mod:`otpkeep.server.db.migrate` (no alembic.ini).

The caller passes an open connection in ``config.attributes["connection"]``; batch mode
lets the same revisions alter tables on SQLite.
"""

from __future__ import annotations

from alembic import context

from otpkeep.server.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
