"""Sealed envelopes: AES-256-GCM with a versioned header and a random nonce.

Layout (docs/protocol.md, "Sealed envelope")::

    0   1   format version   0x01
    1   1   algorithm        0x01 = AES-256-GCM
    2   12  nonce            random
    14  n   ciphertext
    ..  16  tag

The two header bytes are authenticated with the caller's associated data
(``header[0:2] || associated_data``); the nonce is authenticated by GCM itself.
Every failure to open (short input, unknown version, wrong key, altered byte,
different associated data) is the same :class:`DecryptionError`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from otpkeep.errors import DecryptionError, InvalidParameterError

if TYPE_CHECKING:
    from collections.abc import Callable

FORMAT_VERSION = 0x01
ALGORITHM_AES_256_GCM = 0x01
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
HEADER = bytes((FORMAT_VERSION, ALGORITHM_AES_256_GCM))
OVERHEAD = len(HEADER) + NONCE_BYTES + TAG_BYTES


def new_key(*, rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """A fresh random 32-byte key."""
    return rng(KEY_BYTES)


def _aead(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise InvalidParameterError("A sealing key must be 32 bytes.")
    return AESGCM(key)


def seal(
    key: bytes,
    plaintext: bytes,
    *,
    associated_data: bytes,
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """Encrypt and authenticate ``plaintext``, binding ``associated_data``."""
    nonce = rng(NONCE_BYTES)
    ciphertext = _aead(key).encrypt(nonce, plaintext, HEADER + associated_data)
    return HEADER + nonce + ciphertext


def open_sealed(key: bytes, sealed: bytes, *, associated_data: bytes) -> bytes:
    """The plaintext of ``sealed``; any failure raises the one opaque DecryptionError."""
    if len(key) != KEY_BYTES or len(sealed) < OVERHEAD or sealed[: len(HEADER)] != HEADER:
        raise DecryptionError
    nonce = sealed[len(HEADER) : len(HEADER) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(
            nonce, sealed[len(HEADER) + NONCE_BYTES :], HEADER + associated_data
        )
    except InvalidTag as exc:
        raise DecryptionError from exc
