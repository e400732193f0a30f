"""The few ristretto255 operations of libsodium (>= 1.0.18) we use, typed.

libsodium is reached through pysodium, which loads the system library with ctypes.
It is imported on first use only, so that importing otpkeep stays cheap; a missing
or too old library becomes one CryptoBackendError that says what to install.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, cast

from otpkeep.errors import CryptoBackendError

if TYPE_CHECKING:
    from types import ModuleType

_INSTALL = (
    "libsodium 1.0.18 or later is needed for the backup passcode: install the system "
    "package (libsodium23 on Debian and Ubuntu) and the pysodium Python package."
)


@functools.cache
def _library() -> ModuleType:
    try:
        import pysodium  # noqa: PLC0415 (loaded on first use, not at import)
    except (ImportError, OSError, ValueError) as exc:
        raise CryptoBackendError(_INSTALL) from exc
    if not pysodium.sodium_version_check(1, 0, 18):
        raise CryptoBackendError(_INSTALL)
    return cast("ModuleType", pysodium)


def is_valid_point(encoded: bytes) -> bool:
    """True if ``encoded`` is the canonical encoding of a ristretto255 element."""
    return len(encoded) == 32 and bool(_library().crypto_core_ristretto255_is_valid_point(encoded))


def from_hash(uniform: bytes) -> bytes:
    """The ristretto255 one-way map of 64 uniform bytes (RFC 9496 §4.3.4)."""
    return cast("bytes", _library().crypto_core_ristretto255_from_hash(uniform))


def scalar_reduce(wide: bytes) -> bytes:
    """A 64-byte little-endian integer reduced modulo the group order."""
    return cast("bytes", _library().crypto_core_ristretto255_scalar_reduce(wide))


def scalar_random() -> bytes:
    """A uniformly random non-zero scalar."""
    return cast("bytes", _library().crypto_core_ristretto255_scalar_random())


def scalar_invert(scalar: bytes) -> bytes:
    """The multiplicative inverse of a non-zero scalar."""
    return cast("bytes", _library().crypto_core_ristretto255_scalar_invert(scalar))


def scalar_mult(scalar: bytes, element: bytes) -> bytes | None:
    """``scalar * element``, or None when the product is the identity."""
    try:
        return cast("bytes", _library().crypto_scalarmult_ristretto255(scalar, element))
    except ValueError:
        return None


def scalar_mult_base(scalar: bytes) -> bytes | None:
    """``scalar * G``, or None when the product is the identity."""
    try:
        return cast("bytes", _library().crypto_scalarmult_ristretto255_base(scalar))
    except ValueError:
        return None


def verify_signature(signature: bytes, message: bytes, public_key: bytes) -> bool:
    """Ed25519 verification, strict: small-order keys and non-canonical values fail."""
    if len(signature) != 64 or len(public_key) != 32:
        return False
    try:
        _library().crypto_sign_verify_detached(signature, message, public_key)
    except ValueError:
        return False
    return True
