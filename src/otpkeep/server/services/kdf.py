"""KDF parameters: the service's defaults, and their stored form (the wire's JSON)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from otpkeep.crypto.kdf import SALT_BYTES, KdfParams
from otpkeep.protocol.kdf import kdf_from_wire, kdf_to_wire

if TYPE_CHECKING:
    from otpkeep.server.settings import Settings


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
    """The stored form: the wire's JSON object."""
    return kdf_to_wire(params)


def from_json(stored: dict[str, Any]) -> KdfParams:
    """The stored form back to the parameters."""
    return kdf_from_wire(stored)
