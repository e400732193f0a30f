"""One-time codes: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard.

Only the standard library: ``otpkeep code`` imports this module on its hot path.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import struct

from otpkeep.errors import InvalidInputError
from otpkeep.otp.account import MAX_COUNTER, Account, Algorithm, OtpType

STEAM_ALPHABET = "23456789BCDFGHJKMNPQRTVWXY"
STEAM_LENGTH = 5
STEAM_PERIOD = 30

_HASHES = {
    Algorithm.SHA1: hashlib.sha1,
    Algorithm.SHA256: hashlib.sha256,
    Algorithm.SHA512: hashlib.sha512,
}


def _truncate(secret: bytes, counter: int, algorithm: Algorithm) -> int:
    """HMAC over the 8-byte counter, then RFC 4226 dynamic truncation to 31 bits."""
    if not 0 <= counter <= MAX_COUNTER:
        raise InvalidInputError("The counter must be a whole number from 0 to 2^64-1.")
    mac = hmac.new(secret, struct.pack(">Q", counter), _HASHES[algorithm]).digest()
    offset = mac[-1] & 0x0F
    (value,) = struct.unpack_from(">I", mac, offset)
    return int(value) & 0x7FFF_FFFF


def _time_step(at: float, period: int) -> int:
    if period < 1:
        raise InvalidInputError("The period must be at least one second.")
    if not math.isfinite(at) or at < 0:
        raise InvalidInputError("The time must be a Unix time from 1970 on.")
    return int(at // period)


def hotp(
    secret: bytes, counter: int, *, digits: int = 6, algorithm: Algorithm = Algorithm.SHA1
) -> str:
    """The RFC 4226 code for ``counter``, with its leading zeros."""
    return str(_truncate(secret, counter, algorithm) % 10**digits).zfill(digits)


def totp(
    secret: bytes,
    at: float,
    *,
    period: int = 30,
    digits: int = 6,
    algorithm: Algorithm = Algorithm.SHA1,
) -> str:
    """The RFC 6238 code at Unix time ``at`` (T0 = 0)."""
    return hotp(secret, _time_step(at, period), digits=digits, algorithm=algorithm)


def steam(secret: bytes, at: float, *, period: int = STEAM_PERIOD) -> str:
    """The Steam Guard code at Unix time ``at``: five characters of :data:`STEAM_ALPHABET`."""
    value = _truncate(secret, _time_step(at, period), Algorithm.SHA1)
    characters = []
    for _ in range(STEAM_LENGTH):
        value, index = divmod(value, len(STEAM_ALPHABET))
        characters.append(STEAM_ALPHABET[index])
    return "".join(characters)


def valid_for(at: float, period: int) -> int:
    """Whole seconds (rounded up, 1 to ``period``) until the code at ``at`` changes."""
    if period < 1:
        raise InvalidInputError("The period must be at least one second.")
    return max(1, math.ceil(period - at % period))


def code_for(account: Account, at: float) -> str:
    """The code ``account`` shows at Unix time ``at``; HOTP accounts use their counter."""
    if account.type is OtpType.HOTP:
        return hotp(
            account.secret, account.counter, digits=account.digits, algorithm=account.algorithm
        )
    if account.type is OtpType.STEAM:
        return steam(account.secret, at, period=account.period)
    return totp(
        account.secret,
        at,
        period=account.period,
        digits=account.digits,
        algorithm=account.algorithm,
    )
