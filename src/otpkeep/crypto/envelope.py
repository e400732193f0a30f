"""Sealed envelopes: XChaCha20-Poly1305 with a versioned header and a random nonce.

Layout (docs/protocol.md, "Sealed envelope")::

    0   1   format version   0x01
    1   1   AEAD suite       0x02 = XChaCha20-Poly1305-IETF (0x01 is retired, never read)
    2   24  nonce            random
    26  n   ciphertext
    ..  16  tag

The two header bytes are authenticated with the caller's associated data
(``header[0:2] || associated_data``); the nonce is authenticated by the AEAD itself
(it selects the subkey). A 192-bit random nonce leaves no collision budget to track.
Every failure to open (short input, unknown version or suite, wrong key, altered
byte, different associated data) is the same :class:`DecryptionError`.

The AEAD is libsodium's, loaded directly (:mod:`otpkeep.crypto.libsodium`): opening
the vault is on the path of every ``otpkeep code``, so this module imports nothing slow.
"""

from __future__ import annotations

import os

from otpkeep.crypto import libsodium
from otpkeep.errors import DecryptionError, InvalidParameterError

TYPE_CHECKING = False  # not typing's: `otpkeep code` reads the vault without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

FORMAT_VERSION = 0x01
SUITE_XCHACHA20_POLY1305 = 0x02
KEY_BYTES = libsodium.KEY_BYTES
NONCE_BYTES = libsodium.NONCE_BYTES
TAG_BYTES = libsodium.TAG_BYTES
HEADER = bytes((FORMAT_VERSION, SUITE_XCHACHA20_POLY1305))
OVERHEAD = len(HEADER) + NONCE_BYTES + TAG_BYTES
_BODY = len(HEADER) + NONCE_BYTES


def new_key(*, rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """A fresh random 32-byte key."""
    return rng(KEY_BYTES)


def seal(
    key: bytes,
    plaintext: bytes,
    *,
    associated_data: bytes,
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """Encrypt and authenticate ``plaintext``, binding ``associated_data``."""
    if len(key) != KEY_BYTES:
        raise InvalidParameterError("A sealing key must be 32 bytes.")
    nonce = rng(NONCE_BYTES)
    if len(nonce) != NONCE_BYTES:
        raise InvalidParameterError("The random source gave a nonce of the wrong size.")
    ciphertext = libsodium.aead_encrypt(key, nonce, plaintext, HEADER + associated_data)
    return HEADER + nonce + ciphertext


def open_sealed(key: bytes, sealed: bytes, *, associated_data: bytes) -> bytes:
    """The plaintext of ``sealed``; any failure raises the one opaque DecryptionError."""
    if len(key) != KEY_BYTES or len(sealed) < OVERHEAD or sealed[: len(HEADER)] != HEADER:
        raise DecryptionError
    plaintext = libsodium.aead_decrypt(
        key, sealed[len(HEADER) : _BODY], sealed[_BODY:], HEADER + associated_data
    )
    if plaintext is None:
        raise DecryptionError
    return plaintext
