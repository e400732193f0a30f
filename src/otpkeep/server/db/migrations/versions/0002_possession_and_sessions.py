"""possession public keys, registration salts, session lifetimes, sealed mail, email undo

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 09:00:00

- ``passcodes.possession_key`` held the seed of the possession key (HKDF of the data key);
  it becomes ``possession_public_key``, the Ed25519 public key of that seed, so the
  database can check the data key's signatures but never make one. ``oprf_salt`` binds
  each registration's OPRF key (NULL for the rows registered before it existed).
- ``sessions`` get an absolute lifetime, an origin and the reason they ended; rows that
  exist get the lifetime of a full session from when they were made.
- ``challenges`` carry the OPRF salt of a registration and the action of a possession
  challenge; ``outbox_messages`` say whether their body is sealed; ``send_limits`` when a
  bucket was last used (so idle ones can be forgotten); ``email_undos`` keeps
  the changes of address that the old address may undo.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

from otpkeep.crypto.schedule import possession_public_key

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

FULL_SESSION_LIFETIME = dt.timedelta(days=365)


def upgrade() -> None:
    with op.batch_alter_table("passcodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oprf_salt", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("possession_public_key", sa.LargeBinary(length=64), nullable=True)
        )
    passcodes = sa.table(
        "passcodes",
        sa.column("account_id", sa.Uuid()),
        sa.column("possession_key", sa.LargeBinary()),
        sa.column("possession_public_key", sa.LargeBinary()),
    )
    connection = op.get_bind()
    for account_id, seed in connection.execute(
        sa.select(passcodes.c.account_id, passcodes.c.possession_key)
    ).all():
        connection.execute(
            passcodes.update()
            .where(passcodes.c.account_id == account_id)
            .values(possession_public_key=possession_public_key(bytes(seed)))
        )
    with op.batch_alter_table("passcodes", schema=None) as batch_op:
        batch_op.alter_column(
            "possession_public_key", existing_type=sa.LargeBinary(length=64), nullable=False
        )
        batch_op.drop_column("possession_key")

    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sa.String(length=16), nullable=False, server_default="verification")
        )
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.String(length=32), nullable=True))
    sessions = sa.table(
        "sessions",
        sa.column("id", sa.Uuid()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("expires_at", sa.DateTime(timezone=True)),
    )
    for session_id, created_at in connection.execute(
        sa.select(sessions.c.id, sessions.c.created_at)
    ).all():
        connection.execute(
            sessions.update()
            .where(sessions.c.id == session_id)
            .values(expires_at=created_at + FULL_SESSION_LIFETIME)
        )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.alter_column(
            "expires_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )

    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oprf_salt", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("action", sa.String(length=32), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("target", sa.String(length=254), nullable=False, server_default="")
        )
        batch_op.create_index(batch_op.f("ix_challenges_expires_at"), ["expires_at"], unique=False)

    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sealed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("send_limits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_send_limits_last_sent_at"), ["last_sent_at"])

    op.create_table(
        "email_undos",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("old_email", sa.String(length=254), nullable=False),
        sa.Column("new_email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_email_undos_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_undos")),
    )
    with op.batch_alter_table("email_undos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_undos_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_undos_expires_at"), ["expires_at"], unique=False)


def downgrade() -> None:
    """Back to 0001. Possession keys cannot be restored from public keys: the escrow rows go."""
    with op.batch_alter_table("email_undos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_undos_expires_at"))
        batch_op.drop_index(batch_op.f("ix_email_undos_account_id"))
    op.drop_table("email_undos")
    with op.batch_alter_table("send_limits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_send_limits_last_sent_at"))
        batch_op.drop_column("last_sent_at")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("sealed")
    with op.batch_alter_table("challenges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_challenges_expires_at"))
        batch_op.drop_column("target")
        batch_op.drop_column("action")
        batch_op.drop_column("oprf_salt")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("origin")
    op.execute(sa.text("DELETE FROM passcodes"))
    with op.batch_alter_table("passcodes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "possession_key", sa.LargeBinary(length=64), nullable=False, server_default=""
            )
        )
        batch_op.drop_column("possession_public_key")
        batch_op.drop_column("oprf_salt")
