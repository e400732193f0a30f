"""Data sealed under a passphrase (the encrypted otpkeep export file).

Layout (docs/protocol.md, "Passphrase file")::

    0   8   magic            "OTPKEEP" 0x01 (format version 1)
    8   1   KDF              0x01 = Argon2id
    9   1   Argon2 version   0x13
    10  4   memory in KiB    big-endian
    14  1   iterations
    15  1   lanes
    16  1   salt length      s (8..64)
    17  s   salt
    ..      sealed envelope  (otpkeep.crypto.envelope), associated data:
                             frame("otpkeep/v1/passphrase-file", header)

The key is HKDF-SHA256 of Argon2id(passphrase in NFC, UTF-8) with the purpose
``otpkeep/v1/passphrase-key``. A wrong passphrase and an altered file are the same
WrongPasswordError (an AEAD cannot tell them apart); a file that is not of this
format, or whose parameters we refuse, is an ImportFormatError.
"""

from __future__ import annotations

import os
import unicodedata
from typing import TYPE_CHECKING

from otpkeep.crypto import envelope, schedule
from otpkeep.crypto.kdf import KdfParams, stretch
from otpkeep.errors import (
    DecryptionError,
    ImportFormatError,
    InvalidInputError,
    InvalidParameterError,
    WrongPasswordError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

MAGIC = b"OTPKEEP\x01"
KDF_ARGON2ID = 0x01
PASSPHRASE_FILE = b"otpkeep/v1/passphrase-file"
PASSPHRASE_KEY = b"otpkeep/v1/passphrase-key"
_FIXED = len(MAGIC) + 9


def _encode_header(params: KdfParams) -> bytes:
    return (
        MAGIC
        + bytes((KDF_ARGON2ID, params.version))
        + params.memory_kib.to_bytes(4, "big")
        + bytes((params.iterations, params.lanes, len(params.salt)))
        + params.salt
    )


def _decode_header(sealed: bytes) -> tuple[KdfParams, int]:
    if len(sealed) < _FIXED or not sealed.startswith(MAGIC) or sealed[8] != KDF_ARGON2ID:
        raise ImportFormatError("This is not an encrypted otpkeep file, or it is damaged.")
    salt_end = _FIXED + sealed[16]
    if len(sealed) < salt_end + envelope.OVERHEAD:
        raise ImportFormatError("This encrypted otpkeep file is truncated.")
    params = KdfParams(
        memory_kib=int.from_bytes(sealed[10:14], "big"),
        iterations=sealed[14],
        lanes=sealed[15],
        version=sealed[9],
        salt=sealed[_FIXED:salt_end],
    )
    try:
        params.validate()
    except InvalidParameterError as exc:
        raise ImportFormatError(
            "This encrypted otpkeep file asks for key-stretching parameters otpkeep refuses."
        ) from exc
    return params, salt_end


def _key(passphrase: str, params: KdfParams) -> bytes:
    secret = unicodedata.normalize("NFC", passphrase).encode("utf-8")
    return schedule.hkdf(stretch(secret, params), salt=b"", info=schedule.frame(PASSPHRASE_KEY))


def seal_with_passphrase(
    passphrase: str,
    plaintext: bytes,
    params: KdfParams | None = None,
    *,
    rng: Callable[[int], bytes] = os.urandom,
) -> bytes:
    """Seal ``plaintext`` under ``passphrase``; the parameters and salt go in the header."""
    if not passphrase:
        raise InvalidInputError("The passphrase must not be empty.")
    params = params or KdfParams()
    if not params.salt:
        params = params.with_new_salt(rng=rng)
    params.validate()
    header = _encode_header(params)
    context = schedule.frame(PASSPHRASE_FILE, header)
    return header + envelope.seal(
        _key(passphrase, params), plaintext, associated_data=context, rng=rng
    )


def open_with_passphrase(passphrase: str, sealed: bytes) -> bytes:
    """The plaintext; WrongPasswordError for a wrong passphrase or an altered file."""
    params, header_end = _decode_header(sealed)
    context = schedule.frame(PASSPHRASE_FILE, sealed[:header_end])
    try:
        return envelope.open_sealed(
            _key(passphrase, params), sealed[header_end:], associated_data=context
        )
    except DecryptionError as exc:
        raise WrongPasswordError(
            "The passphrase is wrong, or the file has been altered; try the passphrase again."
        ) from exc
