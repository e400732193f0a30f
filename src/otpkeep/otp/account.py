"""The one-time-password account: what a device keeps and what every format carries."""

from __future__ import annotations

import base64
import binascii
import enum
from typing import Any

from otpkeep.errors import InvalidAccountError

MIN_DIGITS = 6
MAX_DIGITS = 10
STEAM_DIGITS = 5
MAX_PERIOD = 24 * 60 * 60
MAX_COUNTER = 2**64 - 1
MAX_LABEL = 256
MIN_SECRET_BYTES = 1
MAX_SECRET_BYTES = 1024


class OtpType(enum.StrEnum):
    """The kind of code an account produces."""

    TOTP = "totp"
    HOTP = "hotp"
    STEAM = "steam"


class Algorithm(enum.StrEnum):
    """The HMAC hash of RFC 4226/6238."""

    SHA1 = "SHA1"
    SHA256 = "SHA256"
    SHA512 = "SHA512"

    @classmethod
    def parse(cls, value: str) -> Algorithm:
        """Accept ``sha256``, ``SHA-256``, ``HmacSHA256``; refuse anything else."""
        key = value.strip().upper().replace("-", "").removeprefix("HMAC")
        try:
            return cls(key)
        except ValueError:
            raise InvalidAccountError(
                f"Unsupported algorithm {value.strip()[:20]!r}: use SHA1, SHA256 or SHA512."
            ) from None


def decode_base32(text: str) -> bytes:
    """Decode a base32 secret written as people write them.

    Upper or lower case, with spaces, hyphens or ``=`` padding, with or without the
    padding a strict decoder needs.
    """
    cleaned = "".join(text.split()).replace("-", "").rstrip("=").upper()
    if not cleaned:
        raise InvalidAccountError("The secret is empty.")
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        secret = base64.b32decode(padded)
    except (binascii.Error, ValueError):
        raise InvalidAccountError(
            "The secret is not valid base32 (letters A-Z and digits 2-7)."
        ) from None
    if not secret:
        raise InvalidAccountError("The secret is too short.")
    return secret


def encode_base32(secret: bytes) -> str:
    """Base32 without padding, as authenticator URIs carry it."""
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def _check_secret(secret: object) -> None:
    if not isinstance(secret, bytes):
        raise InvalidAccountError("The secret must be bytes.")
    if not MIN_SECRET_BYTES <= len(secret) <= MAX_SECRET_BYTES:
        raise InvalidAccountError(f"The secret must be 1 to {MAX_SECRET_BYTES} bytes long.")


def _check_label(field: str, value: object) -> None:
    if not isinstance(value, str):
        raise InvalidAccountError(f"The {field} must be text.")
    if len(value) > MAX_LABEL:
        raise InvalidAccountError(f"The {field} is longer than {MAX_LABEL} characters.")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        raise InvalidAccountError(f"The {field} contains control characters.")


_FIELDS = ("issuer", "name", "secret", "type", "algorithm", "digits", "period", "counter")


class Account:
    """One account as every format carries it. Immutable, and validated on construction.

    ``period`` matters for TOTP and Steam, ``counter`` for HOTP. ``secret`` is raw
    bytes; ``repr()`` never shows it. (A hand-written class rather than a dataclass:
    ``dataclasses`` imports ``inspect``, which would double the start-up time of
    ``otpkeep code``.)
    """

    __slots__ = _FIELDS
    __match_args__ = (
        "issuer",
        "name",
        "secret",
        "type",
        "algorithm",
        "digits",
        "period",
        "counter",
    )

    issuer: str
    name: str
    secret: bytes
    type: OtpType
    algorithm: Algorithm
    digits: int
    period: int
    counter: int

    def __init__(  # noqa: PLR0913 - the eight fields of an account
        self,
        issuer: str,
        name: str,
        secret: bytes,
        *,
        type: OtpType = OtpType.TOTP,  # noqa: A002 - the field's name in every format
        algorithm: Algorithm = Algorithm.SHA1,
        digits: int = MIN_DIGITS,
        period: int = 30,
        counter: int = 0,
    ) -> None:
        _check_secret(secret)
        _check_label("issuer", issuer)
        _check_label("name", name)
        kind = OtpType(type)
        if kind is OtpType.STEAM:
            digits = STEAM_DIGITS
        elif not MIN_DIGITS <= digits <= MAX_DIGITS:
            raise InvalidAccountError(
                f"Digits must be from {MIN_DIGITS} to {MAX_DIGITS}, not {digits}."
            )
        if not 1 <= period <= MAX_PERIOD:
            raise InvalidAccountError(
                f"The period must be from 1 to {MAX_PERIOD} seconds, not {period}."
            )
        if not 0 <= counter <= MAX_COUNTER:
            raise InvalidAccountError("The counter must be a whole number from 0 to 2^64-1.")
        values = (issuer, name, secret, kind, Algorithm(algorithm), digits, period, counter)
        for field, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, field, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Account is immutable: use replace({name}=...)")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Account is immutable")

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, field) for field in _FIELDS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Account):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{field}={getattr(self, field)!r}" for field in _FIELDS if field != "secret"
        )
        return f"Account({shown})"

    def __reduce__(self) -> tuple[Any, tuple[object, ...]]:
        return (Account, self._values())

    @property
    def label(self) -> str:
        """``Issuer: name``, or the one that is set."""
        if self.issuer and self.name:
            return f"{self.issuer}: {self.name}"
        return self.issuer or self.name or "(unnamed)"

    def identity(self) -> tuple[bytes, str, str]:
        """What makes two accounts the same account: secret, issuer and name."""
        return (self.secret, self.issuer.casefold(), self.name.casefold())

    def matches(self, query: str) -> bool:
        """A case-insensitive substring of the issuer or the name."""
        needle = query.casefold()
        return needle in self.issuer.casefold() or needle in self.name.casefold()

    def replace(self, **changes: Any) -> Account:
        """A copy with some fields changed, validated again."""
        unknown = set(changes) - set(_FIELDS)
        if unknown:
            raise TypeError(f"Account has no field {min(unknown)!r}")
        fields = {field: getattr(self, field) for field in _FIELDS}
        fields.update(changes)
        return Account(**fields)
