"""One-time codes: HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard.

Only the standard library, and no ``Account`` at run time: ``otpkeep code`` computes its
codes from the stored fields (:func:`code_from_fields`), which :func:`code_for` also uses.
Types and algorithms are compared as text, which ``OtpType`` and ``Algorithm`` (string
enums) are.
"""

from __future__ import annotations

import hashlib
import hmac
import struct

from otpkeep.errors import InvalidInputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from otpkeep.otp.account import Account

STEAM_ALPHABET = "23456789BCDFGHJKMNPQRTVWXY"
STEAM_LENGTH = 5
STEAM_PERIOD = 30

_INFINITY = float("inf")  # not math.inf: ``math`` is one more import on the hot path
_HASHES = {
    "SHA1": hashlib.sha1,
    "SHA256": hashlib.sha256,
    "SHA512": hashlib.sha512,
}


def _truncate(secret: bytes, counter: int, algorithm: str) -> int:
    """HMAC over the 8-byte counter, then RFC 4226 dynamic truncation to 31 bits."""
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise InvalidInputError(
            f"Unsupported algorithm {algorithm[:20]!r}: use SHA1, SHA256 or SHA512."
        )
    try:
        message = struct.pack(">Q", counter)  # exactly the counters of 0 to 2^64-1
    except struct.error:
        raise InvalidInputError("The counter must be a whole number from 0 to 2^64-1.") from None
    mac = hmac.new(secret, message, digest).digest()
    offset = mac[-1] & 0x0F
    (value,) = struct.unpack_from(">I", mac, offset)
    return int(value) & 0x7FFF_FFFF


def _time_step(at: float, period: int) -> int:
    if period < 1:
        raise InvalidInputError("The period must be at least one second.")
    if not 0 <= at < _INFINITY:  # NaN fails every comparison
        raise InvalidInputError("The time must be a Unix time from 1970 on.")
    return int(at // period)


def hotp(secret: bytes, counter: int, *, digits: int = 6, algorithm: str = "SHA1") -> str:
    """The RFC 4226 code for ``counter``, with its leading zeros."""
    return str(_truncate(secret, counter, algorithm) % 10**digits).zfill(digits)


def totp(
    secret: bytes,
    at: float,
    *,
    period: int = 30,
    digits: int = 6,
    algorithm: str = "SHA1",
) -> str:
    """The RFC 6238 code at Unix time ``at`` (T0 = 0)."""
    return hotp(secret, _time_step(at, period), digits=digits, algorithm=algorithm)


def steam(secret: bytes, at: float, *, period: int = STEAM_PERIOD) -> str:
    """The Steam Guard code at Unix time ``at``: five characters of :data:`STEAM_ALPHABET`."""
    value = _truncate(secret, _time_step(at, period), "SHA1")
    characters = []
    for _ in range(STEAM_LENGTH):
        value, index = divmod(value, len(STEAM_ALPHABET))
        characters.append(STEAM_ALPHABET[index])
    return "".join(characters)


def valid_for(at: float, period: int) -> int:
    """Whole seconds (rounded up, 1 to ``period``) until the code at ``at`` changes."""
    if period < 1:
        raise InvalidInputError("The period must be at least one second.")
    return max(1, int(-(-(period - at % period) // 1)))  # the ceiling, without math


def readable(code: str, otp_type: str) -> str:
    """A code as people read it aloud: ``325 611``, ``1234 5678``, ``482 913 571``.

    Groups of three when they fit, else two halves (seven digits read ``482 9135``, ten
    ``12345 67890``); Steam's five characters, and anything shorter than five, stay whole.
    The command line and the terminal app both write codes this way.
    """
    if otp_type == "steam" or len(code) < 5:
        return code
    if len(code) % 3 == 0:
        return " ".join(code[i : i + 3] for i in range(0, len(code), 3))
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


def code_from_fields(  # noqa: PLR0913 - what decides a code, and the time
    secret: bytes,
    at: float,
    *,
    otp_type: str,
    algorithm: str,
    digits: int,
    period: int,
    counter: int,
) -> str:
    """The code an account with these fields shows at Unix time ``at``.

    ``otp_type`` is ``totp``, ``hotp`` (which uses ``counter``, not the time) or ``steam``.
    """
    if otp_type == "hotp":
        return hotp(secret, counter, digits=digits, algorithm=algorithm)
    if otp_type == "steam":
        return steam(secret, at, period=period)
    if otp_type == "totp":
        return totp(secret, at, period=period, digits=digits, algorithm=algorithm)
    raise InvalidInputError(f"Unsupported account type {otp_type[:20]!r}: use totp, hotp or steam.")


def code_for(account: Account, at: float) -> str:
    """The code ``account`` shows at Unix time ``at``; HOTP accounts use their counter."""
    return code_from_fields(
        account.secret,
        at,
        otp_type=account.type,
        algorithm=account.algorithm,
        digits=account.digits,
        period=account.period,
        counter=account.counter,
    )
