"""libsodium's XChaCha20-Poly1305 for the sealed envelopes, loaded directly with ctypes.

``otpkeep code`` opens the vault on every run, so the envelope's AEAD must load fast:
this module imports only ``ctypes`` and tries the usual file names of the system
library with ``ctypes.CDLL`` before it falls back to ``ctypes.util.find_library``
(which spawns ``ldconfig``, as the pysodium binding does on import: ~35 ms). It
declares the C prototypes of the two AEAD functions, runs ``sodium_init()`` once, and
checks the length of every buffer C will read before each call. A missing or too
old library becomes one :class:`CryptoBackendError` that says what to install.

The OPRF and Ed25519 operations, which are not on any start-up path, go through the
maintained pysodium binding (:mod:`otpkeep.crypto.sodium`).
"""

from __future__ import annotations

import ctypes
import functools

from otpkeep.errors import CryptoBackendError, InvalidParameterError

TYPE_CHECKING = False  # not typing's: `otpkeep code` reads the vault without importing typing
if TYPE_CHECKING:
    from collections.abc import Sequence

KEY_BYTES = 32
NONCE_BYTES = 24
TAG_BYTES = 16

SONAMES = (
    "libsodium.so.26",
    "libsodium.so.23",
    "libsodium.so",
    "libsodium.dylib",
    "libsodium.26.dylib",
    "libsodium.23.dylib",
    "libsodium.dll",
)
INSTALL = (
    "libsodium 1.0.18 or later is missing: install the system package "
    "(libsodium23 on Debian and Ubuntu, libsodium on Fedora, macOS Homebrew and MSYS2)."
)

_buffer = ctypes.c_char_p  # bytes in, or a ctypes.create_string_buffer out
_size = ctypes.c_ulonglong
_int = ctypes.c_int
_sized = (_buffer, _size)  # a buffer and its length
_out = (_buffer, ctypes.POINTER(_size))  # an output buffer and where its length is written

# name: (restype, argtypes), exactly as in libsodium's headers.
PROTOTYPES: dict[str, tuple[type[ctypes.c_int] | None, tuple[object, ...]]] = {
    "sodium_init": (_int, ()),
    # out buffer and length, message and length, AD and length, NULL (nsec), nonce, key
    "crypto_aead_xchacha20poly1305_ietf_encrypt": (
        _int,
        (*_out, *_sized, *_sized, ctypes.c_void_p, _buffer, _buffer),
    ),
    # out buffer and length, NULL (nsec), sealed and length, AD and length, nonce, key
    "crypto_aead_xchacha20poly1305_ietf_decrypt": (
        _int,
        (*_out, ctypes.c_void_p, *_sized, *_sized, _buffer, _buffer),
    ),
}


def _find(names: Sequence[str], fallback: str | None) -> ctypes.CDLL:
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError:
            continue
    if fallback is not None:
        from ctypes.util import find_library  # noqa: PLC0415 (slow: only as a last resort)

        path = find_library(fallback)
        if path is not None:
            try:
                return ctypes.CDLL(path)
            except OSError as exc:
                raise CryptoBackendError(INSTALL) from exc
    raise CryptoBackendError(INSTALL)


def open_library(names: Sequence[str] = SONAMES, *, fallback: str | None = "sodium") -> ctypes.CDLL:
    """Load, initialise and declare libsodium from ``names``, else ``find_library(fallback)``."""
    library = _find(names, fallback)
    try:
        for name, (restype, argtypes) in PROTOTYPES.items():
            function = getattr(library, name)
            function.restype = restype
            function.argtypes = argtypes
    except AttributeError as exc:  # not libsodium, or older than 1.0.18
        raise CryptoBackendError(INSTALL) from exc
    if library.sodium_init() < 0:
        raise CryptoBackendError("libsodium could not initialise (no source of randomness?).")
    return library


@functools.cache
def library() -> ctypes.CDLL:
    """The process's libsodium, loaded on first use."""
    return open_library()


def _require(value: bytes, size: int, what: str) -> None:
    if len(value) != size:
        raise InvalidParameterError(f"A {what} must be {size} bytes.")


def aead_encrypt(key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """XChaCha20-Poly1305-IETF: the ciphertext followed by the 16-byte tag."""
    _require(key, KEY_BYTES, "sealing key")
    _require(nonce, NONCE_BYTES, "nonce")
    out = ctypes.create_string_buffer(len(plaintext) + TAG_BYTES)
    out_len = ctypes.c_ulonglong(0)
    status = library().crypto_aead_xchacha20poly1305_ietf_encrypt(
        out, ctypes.byref(out_len), plaintext, len(plaintext),
        associated_data, len(associated_data), None, nonce, key,
    )  # fmt: skip
    if status != 0 or out_len.value != len(out):
        raise InvalidParameterError("The data could not be sealed.")
    return out.raw


def aead_decrypt(key: bytes, nonce: bytes, sealed: bytes, associated_data: bytes) -> bytes | None:
    """The plaintext of XChaCha20-Poly1305-IETF ``ciphertext || tag``, or None if it fails."""
    if len(key) != KEY_BYTES or len(nonce) != NONCE_BYTES:
        return None
    if len(sealed) < TAG_BYTES:
        return None
    out = ctypes.create_string_buffer(max(len(sealed) - TAG_BYTES, 1))
    out_len = ctypes.c_ulonglong(0)
    status = library().crypto_aead_xchacha20poly1305_ietf_decrypt(
        out, ctypes.byref(out_len), None, sealed, len(sealed),
        associated_data, len(associated_data), nonce, key,
    )  # fmt: skip
    if status != 0 or out_len.value != len(sealed) - TAG_BYTES:
        return None
    return out.raw[: out_len.value]
