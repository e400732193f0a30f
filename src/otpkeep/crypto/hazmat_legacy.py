"""Hazardous material: the key derivations and ciphers of other authenticators' export files.

The name is a warning. These schemes are other apps' choices, some of them weak;
nothing of otpkeep's own may use them (its own data goes through
:mod:`otpkeep.crypto.envelope`, :mod:`~otpkeep.crypto.escrow` and
:mod:`~otpkeep.crypto.passphrase`).

Thin, typed wrappers over ``cryptography`` and ``argon2-cffi`` for the importers
and exporters of :mod:`otpkeep.otp`: each other app chose its own scheme (some of
them weak: a bare SHA-256 of the password, a zero IV), and this module only
reproduces them so their files can be read. otpkeep's own data never uses these.

The libraries are imported inside the functions, so importing this module is
cheap. Every failure to decrypt or unpad is :class:`~otpkeep.errors.DecryptionError`;
the caller decides whether that means a wrong password.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from otpkeep.errors import CryptoBackendError, DecryptionError

HashName = Literal["sha1", "sha256", "sha512"]

MAX_ITERATIONS = 10_000_000
MAX_SCRYPT_N = 2**20
MAX_ARGON2_MEMORY_KIB = 1024 * 1024
AES_KEY_SIZES = (16, 24, 32)
GCM_TAG_SIZE = 16
AES_BLOCK = 16


def _check_key(key: bytes) -> None:
    if len(key) not in AES_KEY_SIZES:
        raise DecryptionError


def sha256(data: bytes) -> bytes:
    """SHA-256 of ``data`` (some apps use it, unsalted, as their password KDF)."""
    return hashlib.sha256(data).digest()


def pbkdf2(
    hash_name: HashName, password: bytes, salt: bytes, iterations: int, length: int = 32
) -> bytes:
    """PBKDF2-HMAC with the given hash; refuses absurd iteration counts from a file."""
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise DecryptionError
    return hashlib.pbkdf2_hmac(hash_name, password, salt, iterations, length)


def scrypt(  # noqa: PLR0913 - the parameters scrypt has
    password: bytes, salt: bytes, *, n: int, r: int, p: int, length: int = 32
) -> bytes:
    """Scrypt, with the cost parameters a file carries, bounded so a file cannot exhaust memory."""
    if not (1 < n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise DecryptionError
    try:
        return hashlib.scrypt(
            password, salt=salt, n=n, r=r, p=p, dklen=length, maxmem=256 * n * r + 2**20
        )
    except (ValueError, MemoryError) as exc:
        raise DecryptionError from exc


def argon2id(  # noqa: PLR0913 - the parameters Argon2 has
    password: bytes,
    salt: bytes,
    *,
    iterations: int,
    memory_kib: int,
    lanes: int,
    length: int = 32,
) -> bytes:
    """Raw Argon2id (version 0x13), as Stratum derives its backup key."""
    if not (1 <= iterations <= 64 and 8 * lanes <= memory_kib <= MAX_ARGON2_MEMORY_KIB):
        raise DecryptionError
    try:
        from argon2.low_level import Type, hash_secret_raw  # noqa: PLC0415 - keep imports cheap
    except ImportError as exc:
        raise CryptoBackendError("Argon2 is missing: install argon2-cffi.") from exc
    try:
        return hash_secret_raw(
            password,
            salt,
            time_cost=iterations,
            memory_cost=memory_kib,
            parallelism=lanes,
            hash_len=length,
            type=Type.ID,
        )
    except Exception as exc:  # argon2's HashingError and ValueError on bad parameters
        raise DecryptionError from exc


def aes_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes | None = None) -> bytes:
    """AES-GCM: ciphertext followed by the 16-byte tag."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    _check_key(key)
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def aes_gcm_decrypt(key: bytes, nonce: bytes, sealed: bytes, aad: bytes | None = None) -> bytes:
    """Open AES-GCM ``ciphertext || tag``; any failure is :class:`DecryptionError`."""
    from cryptography.exceptions import InvalidTag  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: PLC0415

    _check_key(key)
    if len(sealed) < GCM_TAG_SIZE or not 8 <= len(nonce) <= 128:
        raise DecryptionError
    try:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    except (InvalidTag, ValueError, OverflowError) as exc:
        raise DecryptionError from exc


def aes_cbc_encrypt(key: bytes, iv: bytes, plaintext: bytes) -> bytes:
    """AES-CBC with PKCS#7 padding."""
    from cryptography.hazmat.primitives import padding  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: PLC0415

    _check_key(key)
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def aes_cbc_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    """Decrypt AES-CBC and remove PKCS#7 padding; bad padding is :class:`DecryptionError`."""
    from cryptography.hazmat.primitives import padding  # noqa: PLC0415
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: PLC0415

    _check_key(key)
    if len(iv) != AES_BLOCK or not ciphertext or len(ciphertext) % AES_BLOCK:
        raise DecryptionError
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError as exc:
        raise DecryptionError from exc
