"""HOTP, TOTP and Steam Guard codes against published vectors and an independent derivation."""

import hashlib
import hmac
import json
import struct
from pathlib import Path

import pytest

from otpkeep.errors import InvalidInputError
from otpkeep.otp.account import Account, Algorithm, OtpType
from otpkeep.otp.codes import STEAM_ALPHABET, code_for, hotp, steam, totp, valid_for

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
HOTP_VECTORS = json.loads((VECTORS / "rfc4226-hotp.json").read_text())
TOTP_VECTORS = json.loads((VECTORS / "rfc6238-totp.json").read_text())
TOTP_CASES = [
    (row["time"], algorithm, row[algorithm])
    for row in TOTP_VECTORS["rows"]
    for algorithm in ("SHA1", "SHA256", "SHA512")
]


@pytest.mark.parametrize(("counter", "expected"), enumerate(HOTP_VECTORS["codes_by_counter"]))
def test_hotp_matches_rfc4226(counter: int, expected: str) -> None:
    """Every code of RFC 4226 Appendix D comes out for its counter."""
    secret = HOTP_VECTORS["secret_ascii"].encode()
    assert hotp(secret, counter) == expected


@pytest.mark.parametrize(("at", "algorithm", "expected"), TOTP_CASES)
def test_totp_matches_rfc6238(at: int, algorithm: str, expected: str) -> None:
    """Every code of RFC 6238 Appendix B comes out for its time and hash."""
    secret = TOTP_VECTORS["seeds_ascii"][algorithm].encode()
    assert totp(secret, at, digits=8, algorithm=Algorithm(algorithm)) == expected


def test_leading_zeros_are_kept() -> None:
    """A code below 10^(digits-1) keeps its leading zeros (RFC 6238: 07081804)."""
    code = totp(b"12345678901234567890", 1111111109, digits=8)
    assert code == "07081804"
    assert len(hotp(b"12345678901234567890", 0, digits=10)) == 10


def test_totp_is_constant_within_a_period_and_changes_at_its_end() -> None:
    """The time step is floor(at / period): 0 and 29.99 share a code, 30 starts the next."""
    secret = b"12345678901234567890"
    assert totp(secret, 0) == totp(secret, 29.99) == hotp(secret, 0)
    assert totp(secret, 30) == hotp(secret, 1)
    assert totp(secret, 100, period=50) == hotp(secret, 2)


def _reference_steam(secret: bytes, at: float) -> str:
    """Steam Guard as published: HMAC-SHA1 of the 30 s step, dynamic truncation, base 26."""
    mac = hmac.new(secret, (int(at) // 30).to_bytes(8, "big"), "sha1").digest()
    start = mac[19] & 15
    full = int.from_bytes(mac[start : start + 4], "big") & 0x7FFFFFFF
    code = ""
    for _ in range(5):
        code += "23456789BCDFGHJKMNPQRTVWXY"[full % 26]
        full //= 26
    return code


@pytest.mark.parametrize("at", [0, 59, 1_111_111_109, 1_700_000_000, 4_102_444_800])
def test_steam_matches_the_published_algorithm(at: int) -> None:
    """Steam codes are five characters of Steam's alphabet, as the published algorithm gives."""
    secret = hashlib.sha256(b"steam").digest()[:20]
    code = steam(secret, at)
    assert code == _reference_steam(secret, at)
    assert len(code) == 5
    assert set(code) <= set(STEAM_ALPHABET)


@pytest.mark.parametrize(
    ("at", "period", "expected"),
    [(0, 30, 30), (1, 30, 29), (29, 30, 1), (29.5, 30, 1), (30, 30, 30), (59.9, 60, 1), (7, 5, 3)],
)
def test_valid_for_counts_the_seconds_left(at: float, period: int, expected: int) -> None:
    """The seconds until the code changes, rounded up, from 1 to the period."""
    assert valid_for(at, period) == expected


def test_code_for_dispatches_on_the_account_type() -> None:
    """TOTP uses time and period, HOTP its counter, Steam its own alphabet."""
    secret = b"12345678901234567890"
    totp_account = Account("Example", "alice", secret, period=60, digits=8)
    hotp_account = Account("Example", "bob", secret, type=OtpType.HOTP, counter=7)
    steam_account = Account("Steam", "gaben", secret, type=OtpType.STEAM)
    assert code_for(totp_account, 120) == hotp(secret, 2, digits=8)
    assert code_for(hotp_account, 123456) == HOTP_VECTORS["codes_by_counter"][7]
    assert code_for(steam_account, 59) == _reference_steam(secret, 59)


@pytest.mark.parametrize(
    "call",
    [
        lambda: totp(b"k", -1),
        lambda: totp(b"k", float("nan")),
        lambda: totp(b"k", 0, period=0),
        lambda: hotp(b"k", -1),
        lambda: hotp(b"k", 2**64),
        lambda: valid_for(0, 0),
    ],
)
def test_impossible_times_and_counters_are_refused(call: object) -> None:
    """Negative or non-finite times, empty periods and counters outside 64 bits raise."""
    with pytest.raises(InvalidInputError):
        call()  # type: ignore[operator]


def test_counter_is_packed_as_64_bit_big_endian() -> None:
    """The HMAC message is the 8-byte big-endian counter, whatever its size."""
    secret = b"k" * 20
    counter = 2**40 + 5
    mac = hmac.new(secret, struct.pack(">Q", counter), "sha1").digest()
    offset = mac[-1] & 15
    expected = (int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF) % 10**6
    assert hotp(secret, counter) == f"{expected:06d}"
