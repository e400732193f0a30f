"""KDF parameters between the wire message and the stored JSON."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from otpkeep.protocol.messages import KdfParams

if TYPE_CHECKING:
    from otpkeep.server.settings import Settings

SALT_BYTES = 16


def default_kdf(settings: Settings, *, salt: bytes = b"") -> KdfParams:
    """The service's default Argon2id parameters, with ``salt``."""
    return KdfParams(
        memory_kib=settings.kdf_memory_kib,
        iterations=settings.kdf_iterations,
        lanes=settings.kdf_lanes,
        salt=salt,
    )


def fresh_kdf(settings: Settings) -> KdfParams:
    """The defaults with a new random salt, offered with a registration."""
    return default_kdf(settings, salt=secrets.token_bytes(SALT_BYTES))


def to_json(params: KdfParams) -> dict[str, Any]:
    """The stored form (the salt as base64url text)."""
    return params.model_dump(mode="json")


def from_json(stored: dict[str, Any]) -> KdfParams:
    """The stored form back to the wire message."""
    return KdfParams.model_validate(stored)
