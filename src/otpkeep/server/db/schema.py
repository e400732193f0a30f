"""Every table of the service, gathered on one ``MetaData`` for Alembic.

Importing this module imports each module that declares tables, so migrations see the
service's own tables and the mail outbox alike.
"""

from __future__ import annotations

from otpkeep.server.db import outbox, tables
from otpkeep.server.db.base import Base

metadata = Base.metadata
__all__ = ["metadata", "outbox", "tables"]
