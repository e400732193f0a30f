"""The envelope's libsodium: found by its usual names, declared once, refused with advice."""

import sys

import pytest

from otpkeep.crypto import libsodium
from otpkeep.errors import CryptoBackendError, InvalidParameterError


def test_the_library_is_loaded_once_and_declares_every_function() -> None:
    """The process's libsodium is one loaded library with each used function's C prototype."""
    library = libsodium.library()
    assert libsodium.library() is library
    for name, (restype, argtypes) in libsodium.PROTOTYPES.items():
        function = getattr(library, name)
        assert function.restype is restype
        assert tuple(function.argtypes) == argtypes


def test_a_missing_library_says_what_to_install() -> None:
    """When no name loads and the search finds nothing, one sentence names the package."""
    with pytest.raises(CryptoBackendError, match="install the system package") as info:
        libsodium.open_library(("libotpkeep-absent.so.0",), fallback="otpkeep-absent-library")
    assert "libsodium23" in str(info.value)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="names the C library of Linux")
def test_a_library_that_is_not_libsodium_is_refused() -> None:
    """A library without libsodium's functions (here the C library) is refused the same way."""
    with pytest.raises(CryptoBackendError, match=r"libsodium 1\.0\.18 or later"):
        libsodium.open_library(("libc.so.6",), fallback=None)


def test_buffers_of_the_wrong_size_never_reach_the_library() -> None:
    """Every fixed-size argument is checked in Python, so C never reads past a short buffer."""
    with pytest.raises(InvalidParameterError, match="32 bytes"):
        libsodium.aead_encrypt(bytes(31), bytes(24), b"", b"")
    with pytest.raises(InvalidParameterError, match="24 bytes"):
        libsodium.aead_encrypt(bytes(32), bytes(12), b"", b"")
    assert libsodium.aead_decrypt(bytes(32), bytes(12), bytes(16), b"") is None
    assert libsodium.aead_decrypt(bytes(31), bytes(24), bytes(16), b"") is None
    assert libsodium.aead_decrypt(bytes(32), bytes(24), bytes(15), b"") is None
