"""Key stretching with Argon2id (RFC 9106), its parameters carried with the data.

The parameters travel with what they protect (the service stores them with the
passcode registration, the export file in its header), so they can be raised later
without breaking what was sealed before. The defaults are RFC 9106's second
recommended option: 64 MiB, three passes, one lane.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from otpkeep.errors import CryptoBackendError, InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Callable

ARGON2_VERSION = 0x13
SALT_BYTES = 16
OUTPUT_BYTES = 32

# Bounds on parameters we accept from a file or the service: a hostile header must
# not make a device allocate more than 4 GiB or spin for minutes.
MIN_SALT_BYTES = 8
MAX_SALT_BYTES = 64
MAX_MEMORY_KIB = 4 * 1024 * 1024
MAX_ITERATIONS = 64
MAX_LANES = 64


@dataclass(frozen=True)
class KdfParams:
    """Argon2id parameters: memory in KiB, passes, lanes, algorithm version, salt."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 1
    version: int = ARGON2_VERSION
    salt: bytes = b""

    def with_new_salt(self, *, rng: Callable[[int], bytes] = os.urandom) -> KdfParams:
        """The same parameters with a fresh random salt of 16 bytes."""
        return replace(self, salt=rng(SALT_BYTES))

    def validate(self, *, salt: bool = True) -> None:
        """Refuse parameters Argon2id cannot run with, or that we do not accept.

        ``salt=False`` checks the costs only: the defaults a service offers carry no salt.
        """
        if self.version != ARGON2_VERSION:
            raise InvalidParameterError("Only Argon2 version 0x13 is supported.")
        if not 1 <= self.lanes <= MAX_LANES:
            raise InvalidParameterError(f"Argon2id lanes must be between 1 and {MAX_LANES}.")
        if not 1 <= self.iterations <= MAX_ITERATIONS:
            raise InvalidParameterError(
                f"Argon2id iterations must be between 1 and {MAX_ITERATIONS}."
            )
        if not 8 * self.lanes <= self.memory_kib <= MAX_MEMORY_KIB:
            raise InvalidParameterError(
                "Argon2id memory must be at least 8 KiB per lane and at most 4 GiB."
            )
        if salt and not MIN_SALT_BYTES <= len(self.salt) <= MAX_SALT_BYTES:
            raise InvalidParameterError(
                "Argon2id needs a salt of 8 to 64 bytes: use KdfParams.with_new_salt()."
            )
        if not salt and len(self.salt) > MAX_SALT_BYTES:
            raise InvalidParameterError("An Argon2id salt must be at most 64 bytes.")


def stretch(secret: bytes, params: KdfParams) -> bytes:
    """Argon2id of ``secret`` under ``params``: 32 bytes."""
    params.validate()
    try:
        from argon2.low_level import Type, hash_secret_raw  # noqa: PLC0415 (kept off import)
    except ImportError as exc:
        raise CryptoBackendError(
            "Argon2 is not available: install the argon2-cffi package."
        ) from exc
    return bytes(
        hash_secret_raw(
            secret=secret,
            salt=params.salt,
            time_cost=params.iterations,
            memory_cost=params.memory_kib,
            parallelism=params.lanes,
            hash_len=OUTPUT_BYTES,
            type=Type.ID,
            version=params.version,
        )
    )
