"""Keys the service derives from the vault seed, each for one named purpose.

``HMAC-SHA256(seed, purpose)`` (HKDF-Expand of one block with the seed as the PRK) gives
independent keys: the keyed hash of verification codes, the key that seals the links of
emails, and the keyed hash that names send-limit buckets without storing addresses.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

CODE_HASH = b"otpkeep/v1/code-hash"
LINK_TOKEN = b"otpkeep/v1/link-token"
LIMIT_BUCKET = b"otpkeep/v1/limit-bucket"


def derive(seed: bytes, purpose: bytes) -> bytes:
    """The 32-byte key of ``purpose``: HKDF-Expand(seed, purpose || 0x01)."""
    return hmac.new(seed, purpose + b"\x01", hashlib.sha256).digest()


@dataclass(frozen=True)
class ServiceKeys:
    """The seed and the keys derived from it; never printed."""

    seed: bytes = field(repr=False)
    code_hash: bytes = field(repr=False)
    link_token: bytes = field(repr=False)
    limit_bucket: bytes = field(repr=False)

    @classmethod
    def from_seed(cls, seed: bytes) -> ServiceKeys:
        """Derive every purpose key from ``seed``."""
        return cls(
            seed=seed,
            code_hash=derive(seed, CODE_HASH),
            link_token=derive(seed, LINK_TOKEN),
            limit_bucket=derive(seed, LIMIT_BUCKET),
        )

    def hash_code(self, verification_id: bytes, code: str) -> bytes:
        """The stored form of a verification code."""
        return hmac.new(self.code_hash, verification_id + code.encode(), hashlib.sha256).digest()

    def bucket(self, kind: str, value: str) -> bytes:
        """The send-limit bucket of an address (``kind`` "email" or "client")."""
        message = f"{kind}\x00{value}".encode()
        return hmac.new(self.limit_bucket, message, hashlib.sha256).digest()
