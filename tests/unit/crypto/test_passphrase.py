"""Data sealed under a passphrase: the encrypted otpkeep export file."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpkeep.crypto.kdf import KdfParams
from otpkeep.crypto.passphrase import open_with_passphrase, seal_with_passphrase
from otpkeep.errors import ImportFormatError, InvalidInputError, WrongPasswordError

SMALL = KdfParams(memory_kib=64, iterations=1, lanes=1)


def test_the_right_passphrase_opens_the_file() -> None:
    """Sealed with small parameters and a fresh salt, the file opens with its passphrase."""
    sealed = seal_with_passphrase("correct horse", b"accounts", SMALL)
    assert open_with_passphrase("correct horse", sealed) == b"accounts"


def test_the_parameters_and_salt_travel_in_the_header() -> None:
    """The header records memory, passes, lanes and a 16-byte salt; each file has its own."""
    first = seal_with_passphrase("pass", b"x", SMALL)
    second = seal_with_passphrase("pass", b"x", SMALL)
    assert first[:8] == b"OTPKEEP\x01"
    assert int.from_bytes(first[10:14], "big") == 64
    assert (first[14], first[15], first[16]) == (1, 1, 16)
    assert first[17:33] != second[17:33]


def test_a_wrong_passphrase_is_told_as_such() -> None:
    """Another passphrase raises WrongPasswordError, with no passphrase in the message."""
    sealed = seal_with_passphrase("correct horse", b"accounts", SMALL)
    with pytest.raises(WrongPasswordError) as info:
        open_with_passphrase("wrong horse", sealed)
    assert "horse" not in str(info.value)


def test_unicode_passphrases_are_normalised() -> None:
    """A passphrase typed composed or decomposed (NFC or NFD) opens the same file."""
    sealed = seal_with_passphrase("caf\u00e9", b"x", SMALL)
    assert open_with_passphrase("cafe\u0301", sealed) == b"x"


@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_flipping_any_byte_fails(data: st.DataObject) -> None:
    """A change anywhere in the file is refused as a format error or a wrong password."""
    sealed = bytearray(seal_with_passphrase("pass", b"accounts", SMALL))
    sealed[data.draw(st.integers(0, len(sealed) - 1))] ^= data.draw(st.integers(1, 255))
    with pytest.raises((WrongPasswordError, ImportFormatError)):
        open_with_passphrase("pass", bytes(sealed))


@pytest.mark.parametrize(
    "blob", [b"", b"OTPKEEP", b"PK\x03\x04 a zip file", b"OTPKEEP\x02" + bytes(64)]
)
def test_foreign_files_are_a_format_error(blob: bytes) -> None:
    """Empty, short, foreign or future-version files raise ImportFormatError."""
    with pytest.raises(ImportFormatError):
        open_with_passphrase("pass", blob)


def test_a_hostile_header_cannot_demand_huge_memory() -> None:
    """A header asking for more than 4 GiB is refused before any stretching."""
    sealed = bytearray(seal_with_passphrase("pass", b"x", SMALL))
    sealed[10:14] = (0xFFFFFFFF).to_bytes(4, "big")
    with pytest.raises(ImportFormatError, match="parameters"):
        open_with_passphrase("pass", bytes(sealed))


def test_a_truncated_file_is_a_format_error() -> None:
    """A file cut inside its header or envelope is refused as damaged."""
    sealed = seal_with_passphrase("pass", b"x", SMALL)
    with pytest.raises(ImportFormatError):
        open_with_passphrase("pass", sealed[:40])


def test_an_empty_passphrase_is_refused() -> None:
    """Sealing under an empty passphrase is refused with one sentence."""
    with pytest.raises(InvalidInputError, match="must not be empty"):
        seal_with_passphrase("", b"x", SMALL)
