"""Base32 digits (RFC 4648) to bytes, read as one number: no :mod:`base64`, no :mod:`re`.

The one decoder of secrets: :func:`otpkeep.otp.account.decode_base32` cleans what people
and other apps write and calls it, and the quick reader of ``otpkeep code``
(:mod:`otpkeep.device.vault.quick`) calls it on the secrets the vault stores, without
importing :mod:`base64` (which imports :mod:`re`).
"""

from __future__ import annotations

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_AS_DIGITS = str.maketrans(ALPHABET, "0123456789abcdefghijklmnopqrstuv")  # int(..., 32)'s


def decode(digits: str) -> bytes | None:
    """The whole bytes of upper-case ``digits`` (no padding, no spaces); None if one is not a digit.

    Bits left over after the last whole byte (a length of 1, 3 or 6 mod 8, or the tail of
    any length) are dropped, as ``base64.b32decode`` of the padded text, Google
    Authenticator, Aegis, 2FAS and Authenticator Pro drop them.
    """
    if digits.strip(ALPHABET):
        return None
    size = len(digits) * 5 // 8
    if not size:
        return b""
    value = int(digits.translate(_AS_DIGITS), 32)
    return (value >> (len(digits) * 5 - size * 8)).to_bytes(size, "big")
