"""The vault seed: 32 random bytes in their own file, matched to the database.

The seed is created (mode 0600) only on the first start with an empty database. The
database keeps a keyed hash of it (:func:`otpkeep.crypto.escrow.seed_fingerprint`), and
the service refuses to start when the seed file is missing or is not the one the
database was made with: a lost or replaced seed must never go unnoticed, because every
backup depends on it.
"""

from __future__ import annotations

import hmac
import os
import secrets
from typing import TYPE_CHECKING

from otpkeep.crypto.escrow import seed_fingerprint
from otpkeep.errors import SeedError
from otpkeep.server.db import meta

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

SEED_BYTES = 32


def read_seed(path: Path) -> bytes | None:
    """The seed in ``path``, or None when there is no such file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SeedError(
            f"The vault seed file {path} cannot be read ({exc.strerror}): check its permissions."
        ) from exc
    if len(data) != SEED_BYTES:
        raise SeedError(
            f"The vault seed file {path} is not a vault seed (it must hold 32 bytes): "
            "restore the right file."
        )
    return data


def create_seed(path: Path) -> bytes:
    """Write a new random seed to ``path`` with mode 0600; refuse to replace a file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    seed = secrets.token_bytes(SEED_BYTES)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        existing = read_seed(path)
        if existing is None:  # pragma: no cover - removed between the two calls
            raise SeedError(f"The vault seed file {path} vanished while it was created.") from None
        return existing
    except OSError as exc:
        raise SeedError(
            f"The vault seed file {path} cannot be created ({exc.strerror}): check the folder."
        ) from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(seed)
        handle.flush()
        os.fsync(handle.fileno())
    return seed


def load_seed(db: Session, path: Path) -> bytes:
    """The seed that matches the database; created for an empty one; else SeedError."""
    recorded = meta.seed_fingerprint(db)
    db.commit()
    seed = read_seed(path)
    if recorded is None:
        if meta.has_accounts(db):
            db.commit()
            raise SeedError(
                f"The database holds accounts but no vault seed fingerprint: restore the "
                f"database that matches the vault seed file {path}."
            )
        db.commit()
        if seed is None:
            seed = create_seed(path)
        recorded = meta.record_seed_fingerprint(db, seed_fingerprint(seed))
    if seed is None:
        raise SeedError(
            f"The vault seed file {path} is missing: restore it (without it no backup can be "
            "recovered), or set OTPKEEP_SEED_FILE to where it is."
        )
    if not hmac.compare_digest(recorded, seed_fingerprint(seed)):
        raise SeedError(
            f"The vault seed file {path} does not match this database: restore the seed file "
            "the database was made with."
        )
    return seed
