"""The service's tables: typed ORM classes on :class:`~otpkeep.server.db.base.Base`.

Secrets are never stored in the clear: session tokens as SHA-256, verification codes
as a keyed hash, send-limit buckets as keyed hashes of the address, outbox bodies
sealed under a key derived from the vault seed; backups and the wrapped data key are
ciphertext made on the device, and of the data key the service keeps only the public
half of its possession key.
"""

from __future__ import annotations

import datetime as dt  # noqa: TC003 - SQLAlchemy reads the annotations at runtime
import uuid  # noqa: TC003 - same
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from otpkeep.server.db.base import Base, UTCDateTime

When = UTCDateTime()


class ServiceMeta(Base):
    """Named values about the database itself (the seed fingerprint)."""

    __tablename__ = "service_meta"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class AccountRow(Base):
    """A verified email address and what hangs off it."""

    __tablename__ = "accounts"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    key_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(When)


class VerificationRow(Base):
    """An emailed code: stored as HMAC(code-hash key, id || code), with tries left."""

    __tablename__ = "verifications"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    attempts_left: Mapped[int] = mapped_column(Integer)
    device_name: Mapped[str] = mapped_column(String(64), default="")
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(When)
    expires_at: Mapped[dt.datetime] = mapped_column(When, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(When)
    outbox_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    """The outbox message that carries the code, to tell the device what became of it."""


class SendLimitRow(Base):
    """Recent sends for one bucket (a keyed hash of an address or a client address)."""

    __tablename__ = "send_limits"

    bucket: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    sent_at: Mapped[list[float]] = mapped_column(JSON)
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(When, index=True)


class SessionRow(Base):
    """A device session: the token's SHA-256, its scope, the device's name, its lifetime.

    An ended session keeps its row (``ended_at``, ``end_reason``) for a while, so that a
    device using it is told why; ``expires_at`` is the absolute end of its life.
    """

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    scope: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16), default="verification")
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(When)
    last_seen_at: Mapped[dt.datetime] = mapped_column(When)
    expires_at: Mapped[dt.datetime] = mapped_column(When)
    ended_at: Mapped[dt.datetime | None] = mapped_column(When)
    end_reason: Mapped[str | None] = mapped_column(String(32))


class PasscodeRow(Base):
    """The escrow of one account: what a right passcode unlocks, and the tries left.

    ``oprf_salt`` binds the OPRF key to this registration (None: a registration made
    before salts existed); ``possession_public_key`` checks the data key's signatures.
    """

    __tablename__ = "passcodes"

    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    key_version: Mapped[int] = mapped_column(Integer)
    oprf_salt: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    auth_public_key: Mapped[bytes] = mapped_column(LargeBinary(64))
    wrapped_data_key: Mapped[bytes] = mapped_column(LargeBinary(1024))
    possession_public_key: Mapped[bytes] = mapped_column(LargeBinary(64))
    kdf: Mapped[dict[str, Any]] = mapped_column(JSON)
    tries_left: Mapped[int] = mapped_column(Integer)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    wait_until: Mapped[dt.datetime | None] = mapped_column(When)
    created_at: Mapped[dt.datetime] = mapped_column(When)
    updated_at: Mapped[dt.datetime] = mapped_column(When)


class ChallengeRow(Base):
    """A challenge waiting for its answer: a registration, a recovery attempt, a possession.

    A registration keeps the OPRF salt it was evaluated under; a possession challenge
    the action and target it authorises. ``settled_at`` marks a recovery attempt that
    expired unproven once it has been counted as a failure.
    """

    __tablename__ = "challenges"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    key_version: Mapped[int] = mapped_column(Integer)
    challenge: Mapped[bytes] = mapped_column(LargeBinary(64))
    oprf_salt: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    action: Mapped[str] = mapped_column(String(32), default="")
    target: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(When)
    expires_at: Mapped[dt.datetime] = mapped_column(When, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(When)


class BackupRow(Base):
    """One version of an account's sealed backup; (account, version) is unique."""

    __tablename__ = "backups"
    __table_args__ = (UniqueConstraint("account_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(When)


class EventRow(Base):
    """A security event the owner can read back (``GET /v1/events``)."""

    __tablename__ = "events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(When, index=True)


class EmailUndoRow(Base):
    """A change of address the old address may undo, through the link mailed to it."""

    __tablename__ = "email_undos"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    session_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    old_email: Mapped[str] = mapped_column(String(254))
    new_email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(When)
    expires_at: Mapped[dt.datetime] = mapped_column(When, index=True)
    used_at: Mapped[dt.datetime | None] = mapped_column(When)
