"""Statements on ``service_meta``: the seed fingerprint, and whether the database is empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from otpkeep.server.db.tables import AccountRow, ServiceMeta

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

SEED_FINGERPRINT = "seed_fingerprint"


def seed_fingerprint(db: Session) -> bytes | None:
    """The fingerprint of the seed the database was made with, if one is recorded."""
    return db.scalar(select(ServiceMeta.value).where(ServiceMeta.name == SEED_FINGERPRINT))


def has_accounts(db: Session) -> bool:
    """True once any account exists."""
    return bool(db.scalar(select(exists().where(AccountRow.id.is_not(None)))))


def record_seed_fingerprint(db: Session, fingerprint: bytes) -> bytes:
    """Record ``fingerprint`` unless one is there; return the one recorded (and commit)."""
    db.add(ServiceMeta(name=SEED_FINGERPRINT, value=fingerprint))
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
    recorded = seed_fingerprint(db)
    db.commit()
    return recorded if recorded is not None else fingerprint
