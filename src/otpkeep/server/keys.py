"""Keys the service derives from the vault seed, each for one named purpose.

``HMAC-SHA256(seed, purpose)`` (HKDF-Expand of one block with the seed as the PRK) gives
independent keys: the keyed hash of verification codes, the key that seals the links of
emails, the keyed hash that names send-limit buckets without storing addresses, and the
key that seals outbox bodies. The OPRF keys of registrations are derived from the seed
too (docs/protocol.md §2) and kept in a small cache, since each costs a hash to scalar.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow

if TYPE_CHECKING:
    import uuid

CODE_HASH = b"otpkeep/v1/code-hash"
LINK_TOKEN = b"otpkeep/v1/link-token"
LIMIT_BUCKET = b"otpkeep/v1/limit-bucket"
OUTBOX = b"otpkeep/v1/outbox"
OPRF_CACHE_SIZE = 4096


def derive(seed: bytes, purpose: bytes) -> bytes:
    """The 32-byte key of ``purpose``: HKDF-Expand(seed, purpose || 0x01)."""
    return hmac.new(seed, purpose + b"\x01", hashlib.sha256).digest()


class OprfKeys:
    """The OPRF keys of recent registrations, derived on first use (least recently used go)."""

    def __init__(self, seed: bytes, size: int = OPRF_CACHE_SIZE) -> None:
        self._seed = seed
        self._size = size
        self._keys: OrderedDict[tuple[uuid.UUID, int, bytes | None], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"OprfKeys({len(self._keys)} cached)"

    def get(self, account_id: uuid.UUID, key_version: int, salt: bytes | None) -> bytes:
        """The private OPRF key of one registration of one account."""
        name = (account_id, key_version, salt)
        with self._lock:
            key = self._keys.get(name)
            if key is not None:
                self._keys.move_to_end(name)
                return key
        key = escrow.oprf_key(self._seed, account_id, key_version, salt)
        with self._lock:
            self._keys[name] = key
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
        return key


@dataclass(frozen=True)
class ServiceKeys:
    """The seed and the keys derived from it; never printed."""

    seed: bytes = field(repr=False)
    code_hash: bytes = field(repr=False)
    link_token: bytes = field(repr=False)
    limit_bucket: bytes = field(repr=False)
    outbox: bytes = field(repr=False)
    oprf: OprfKeys = field(repr=False)

    @classmethod
    def from_seed(cls, seed: bytes) -> ServiceKeys:
        """Derive every purpose key from ``seed``."""
        return cls(
            seed=seed,
            code_hash=derive(seed, CODE_HASH),
            link_token=derive(seed, LINK_TOKEN),
            limit_bucket=derive(seed, LIMIT_BUCKET),
            outbox=derive(seed, OUTBOX),
            oprf=OprfKeys(seed),
        )

    def hash_code(self, verification_id: bytes, code: str) -> bytes:
        """The stored form of a verification code."""
        return hmac.new(self.code_hash, verification_id + code.encode(), hashlib.sha256).digest()

    def bucket(self, kind: str, value: str) -> bytes:
        """The send-limit bucket of ``value`` (``kind``: "pair", "email" or "client")."""
        message = f"{kind}\x00{value}".encode()
        return hmac.new(self.limit_bucket, message, hashlib.sha256).digest()
