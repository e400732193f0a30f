"""verification delivery: which outbox message carries a verification's code

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 11:00:00

``verifications.outbox_id`` names the outbox message of the code, so the device can be
told whether the mail server took it (``GET /v1/verifications/{id}/delivery``). Rows that
exist get NULL: their delivery reads as queued until they expire.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outbox_id", sa.Uuid(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("verifications", schema=None) as batch_op:
        batch_op.drop_column("outbox_id")
