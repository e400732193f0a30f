"""A slow hash of the passcode, for the device's own passcode check.

Argon2id under the given parameters (salt included), compared in constant time.
The digest never leaves the device: the service checks passcodes only through the
OPRF (:mod:`otpkeep.crypto.escrow`).
"""

from __future__ import annotations

import hmac
import unicodedata
from typing import TYPE_CHECKING

from otpkeep.crypto import schedule
from otpkeep.crypto.kdf import stretch

if TYPE_CHECKING:
    from otpkeep.crypto.kdf import KdfParams

PASSCODE_CHECK = b"otpkeep/v1/passcode-check"


def hash_passcode(passcode: str, params: KdfParams) -> bytes:
    """A 32-byte Argon2id digest of the passcode under ``params``."""
    secret = schedule.frame(PASSCODE_CHECK, unicodedata.normalize("NFC", passcode).encode())
    return stretch(secret, params)


def verify_passcode(passcode: str, digest: bytes, params: KdfParams) -> bool:
    """True only if ``passcode`` hashes to ``digest`` (compared in constant time)."""
    return hmac.compare_digest(hash_passcode(passcode, params), digest)
