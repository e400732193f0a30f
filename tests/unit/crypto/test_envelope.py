"""Sealed envelopes: round trips, and any change to the envelope or its context fails closed."""

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpkeep.crypto import envelope, libsodium
from otpkeep.errors import DecryptionError, InvalidParameterError

KEY = bytes(range(32))
CONTEXT = b"otpkeep/v1/test\x00account"


@given(plaintext=st.binary(max_size=2048), context=st.binary(max_size=64))
def test_seal_then_open_round_trips(plaintext: bytes, context: bytes) -> None:
    """Whatever is sealed opens to the same bytes under the same key and context."""
    sealed = envelope.seal(KEY, plaintext, associated_data=context)
    assert len(sealed) == len(plaintext) + envelope.OVERHEAD
    assert envelope.open_sealed(KEY, sealed, associated_data=context) == plaintext


@given(plaintext=st.binary(max_size=256), data=st.data())
def test_flipping_any_byte_of_the_envelope_fails(plaintext: bytes, data: st.DataObject) -> None:
    """Changing any byte of the header, nonce, ciphertext or tag raises DecryptionError."""
    sealed = bytearray(envelope.seal(KEY, plaintext, associated_data=CONTEXT))
    index = data.draw(st.integers(0, len(sealed) - 1))
    sealed[index] ^= data.draw(st.integers(1, 255))
    with pytest.raises(DecryptionError):
        envelope.open_sealed(KEY, bytes(sealed), associated_data=CONTEXT)


@given(data=st.data())
def test_flipping_any_byte_of_the_associated_data_fails(data: st.DataObject) -> None:
    """Opening with associated data that differs in one byte raises DecryptionError."""
    sealed = envelope.seal(KEY, b"secret accounts", associated_data=CONTEXT)
    context = bytearray(CONTEXT)
    context[data.draw(st.integers(0, len(context) - 1))] ^= data.draw(st.integers(1, 255))
    with pytest.raises(DecryptionError):
        envelope.open_sealed(KEY, sealed, associated_data=bytes(context))


@given(cut=st.integers(0, envelope.OVERHEAD + 15))
def test_truncated_envelopes_fail(cut: int) -> None:
    """An envelope cut short anywhere raises DecryptionError."""
    sealed = envelope.seal(KEY, b"sixteen bytes!!!", associated_data=CONTEXT)
    with pytest.raises(DecryptionError):
        envelope.open_sealed(KEY, sealed[:cut], associated_data=CONTEXT)


def test_a_wrong_key_fails_with_the_same_opaque_error() -> None:
    """Another key, or a key of the wrong size, raises the same DecryptionError message."""
    sealed = envelope.seal(KEY, b"data", associated_data=CONTEXT)
    messages = set()
    for key in (envelope.new_key(), KEY[:16], b""):
        with pytest.raises(DecryptionError) as info:
            envelope.open_sealed(key, sealed, associated_data=CONTEXT)
        messages.add(str(info.value))
    assert messages == {"The data could not be decrypted."}


def test_the_header_is_versioned_and_the_nonce_random() -> None:
    """Every envelope starts with version 1 and XChaCha20-Poly1305, and two seals never repeat."""
    first = envelope.seal(KEY, b"data", associated_data=CONTEXT)
    second = envelope.seal(KEY, b"data", associated_data=CONTEXT)
    assert first[:2] == b"\x01\x02"
    assert first[2:26] != second[2:26]
    assert first != second


def test_an_injected_nonce_gives_a_known_envelope() -> None:
    """With the randomness fixed, the envelope is the header, that nonce, and 16 bytes of tag."""
    sealed = envelope.seal(KEY, b"", associated_data=b"", rng=bytes)
    assert sealed[:26] == b"\x01\x02" + bytes(24)
    assert len(sealed) == 26 + 16
    assert envelope.open_sealed(KEY, sealed, associated_data=b"") == b""


@pytest.mark.parametrize("header", [b"\x01\x01", b"\x02\x02", b"\x00\x02", b"\x01\x03"])
def test_another_version_or_suite_is_refused_even_with_a_matching_tag(header: bytes) -> None:
    """An envelope whose header names another version or AEAD is refused, whatever its tag."""
    nonce = bytes(range(24))
    body = libsodium.aead_encrypt(KEY, nonce, b"data", header + CONTEXT)
    with pytest.raises(DecryptionError):
        envelope.open_sealed(KEY, header + nonce + body, associated_data=CONTEXT)


def test_a_random_source_that_gives_a_short_nonce_is_refused() -> None:
    """A random source that returns fewer than 24 bytes is refused before anything is sealed."""
    with pytest.raises(InvalidParameterError):
        envelope.seal(KEY, b"data", associated_data=CONTEXT, rng=lambda size: bytes(size - 12))


def test_sealing_with_a_key_of_the_wrong_size_is_refused() -> None:
    """A key that is not 32 bytes is refused before anything is sealed."""
    with pytest.raises(InvalidParameterError):
        envelope.seal(KEY[:16], b"data", associated_data=CONTEXT)


def test_new_keys_are_32_random_bytes() -> None:
    """new_key gives 32 bytes, different each time."""
    keys = {envelope.new_key() for _ in range(8)}
    assert len(keys) == 8
    assert all(len(key) == 32 for key in keys)


def test_importing_and_using_the_envelope_loads_no_slow_library() -> None:
    """Sealing and opening, as the CLI's hot path does, imports no cryptography, pysodium or argon2.

    libsodium is found by its usual file names, so ``ctypes.util`` (which spawns
    ``ldconfig``) is not imported either.
    """
    code = (
        "import sys; from otpkeep.crypto import envelope;"
        "k = envelope.new_key();"
        "assert envelope.open_sealed(k, envelope.seal(k, b'x', associated_data=b''),"
        " associated_data=b'') == b'x';"
        "slow = ('cryptography', 'pysodium', 'argon2', 'nacl', 'ctypes.util');"
        "print(sorted(m for m in slow if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
