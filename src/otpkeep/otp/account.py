"""The one-time-password account: what a device keeps and what every format carries."""

from __future__ import annotations

import base64
import enum
from typing import Any

from otpkeep.errors import InvalidAccountError
from otpkeep.otp import base32

MIN_DIGITS = 6
MAX_DIGITS = 10
STEAM_DIGITS = 5
STEAM_PERIOD = 30
MAX_PERIOD = 24 * 60 * 60
MAX_COUNTER = 2**64 - 1
MAX_LABEL = 256
MIN_SECRET_BYTES = 1
"""What an account can hold: every account stored before :data:`MIN_NEW_SECRET_BYTES` loads."""
MIN_NEW_SECRET_BYTES = 6
"""The shortest secret accepted from a person or a file: 48 bits, 10 base32 characters.

Real services issue 10 bytes (80 bits, 16 characters) or more; the shortest secrets in
other authenticators' own export files are 11 characters (6 bytes once the leftover
bits are dropped). Anything shorter is a truncated copy or a typing mistake.
"""
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


_BASE32 = base32.ALPHABET
_BASE32_VALUES = {ch: value for value, ch in enumerate(_BASE32)}
# Characters people type for a base32 letter; mapping them would be a guess that
# changes every code, so they are refused with a hint instead.
_LOOKALIKES = {"0": "the letter O", "1": "the letter I or L", "8": "the letter B"}
_IGNORED = frozenset(" \t\r\n-")
_DROP = str.maketrans(dict.fromkeys(_IGNORED))


def _not_base32(character: str, position: int) -> InvalidAccountError:
    shown = repr(character) if character.isprintable() else f"U+{ord(character):04X}"
    hint = _LOOKALIKES.get(character)
    advice = f" (did you mean {hint}?)" if hint else ""
    return InvalidAccountError(
        f"The secret has {shown} at position {position}, which is not base32: "
        f"use the letters A-Z and the digits 2-7{advice}."
    )


def decode_base32(text: str) -> bytes:
    """Decode a base32 secret written as people and other authenticators write them.

    Upper or lower case, spaces, hyphens and ``=`` padding (any amount, at the end)
    are accepted. A length that is not a whole number of bytes (11, 14, 17, 19, ...
    characters) is read as Google Authenticator, Aegis, 2FAS and Authenticator Pro
    read it: the bits left over after the last whole byte are dropped. Anything
    else is refused with the character and its position (1-based, in ``text``).
    """
    cleaned = text.translate(_DROP).upper().rstrip("=")
    secret = base32.decode(cleaned)
    if secret:
        return secret
    return _decode_slowly(text)


def _decode_slowly(text: str) -> bytes:
    """Character by character, to say where the first thing that is wrong is."""
    value = bits = 0
    out = bytearray()
    padding_from = 0
    for position, character in enumerate(text, start=1):
        if character in _IGNORED:
            continue
        if character == "=":
            padding_from = padding_from or position
            continue
        digit = _BASE32_VALUES.get(character.upper())
        if digit is None:
            raise _not_base32(character, position)
        if padding_from:
            raise InvalidAccountError(
                f"The secret has '=' at position {padding_from} before its end: "
                "padding belongs only at the end."
            )
        value = (value << 5 | digit) & 0xFFF
        bits += 5
        if bits >= 8:
            bits -= 8
            out.append(value >> bits & 0xFF)
    if not out:
        if bits:
            raise InvalidAccountError(
                "The secret is one base32 character long, which holds no whole byte."
            )
        raise InvalidAccountError("The secret is empty.")
    return bytes(out)


def base32_length_hint(secret: bytes) -> int:
    """How many base32 characters ``secret`` takes without padding."""
    return -(-len(secret) * 8 // 5)


def check_new_secret(secret: bytes) -> None:
    """Refuse a secret too short for any real service: a truncated copy, most likely.

    The vault still holds and shows any secret of at least one byte, so accounts
    stored before this rule keep working; only accounts coming in are checked.
    """
    if len(secret) < MIN_NEW_SECRET_BYTES:
        raise InvalidAccountError(
            f"The secret is {len(secret)} byte{'s' if len(secret) != 1 else ''} long "
            f"({base32_length_hint(secret)} base32 characters); otpkeep takes secrets of at "
            f"least {MIN_NEW_SECRET_BYTES} bytes ({base32_length_hint(bytes(MIN_NEW_SECRET_BYTES))}"
            " base32 characters): check that it was copied whole."
        )


def check_new_text(field: str, value: str) -> None:
    """Refuse text that cannot be written out: lone surrogates (bytes that were not UTF-8)."""
    if any(0xD800 <= ord(ch) <= 0xDFFF for ch in value):
        raise InvalidAccountError(
            f"The {field} holds bytes that are not UTF-8 text: write it again in UTF-8."
        )


def check_new_account(account: Account) -> None:
    """What an account coming in from a person or a file must meet, besides validity."""
    check_new_secret(account.secret)
    check_new_text("issuer", account.issuer)
    check_new_text("name", account.name)


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
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F for ch in value):
        raise InvalidAccountError(
            f"The {field} contains control characters (such as a line break or a tab): remove them."
        )


CodesKey = tuple[bytes, OtpType, Algorithm, int, int]
"""The secret, type, algorithm, digits and period (or counter): what decides the codes."""
DuplicateKey = tuple[CodesKey, str, str]
"""The codes key and the case-folded issuer and name: equal keys are duplicate accounts."""

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
            # Steam Guard codes are five characters of SHA1 every 30 seconds, whatever a
            # file says: Steam accepts no other, and apps write their own defaults here.
            digits, period, algorithm = STEAM_DIGITS, STEAM_PERIOD, Algorithm.SHA1
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

    def codes_key(self) -> CodesKey:
        """What decides the codes: the secret, and the type's own parameters.

        TOTP and Steam: algorithm, digits, period (Steam's are fixed at construction);
        HOTP: algorithm, digits, counter.
        """
        if self.type is OtpType.HOTP:
            return (self.secret, self.type, self.algorithm, self.digits, self.counter)
        return (self.secret, self.type, self.algorithm, self.digits, self.period)

    def duplicate_key(self) -> DuplicateKey:
        """Two accounts are duplicates when they give the same codes under the same label.

        The same secret with another type, algorithm, digits, period or counter gives
        other codes, so it is another account; so is the same secret under another
        issuer or name (case aside), which some people keep on purpose.
        """
        return (self.codes_key(), self.issuer.casefold(), self.name.casefold())

    def settings(self) -> str:
        """``TOTP SHA1, 6 digits, 30 s``: the parameters in a few words, for reports."""
        if self.type is OtpType.STEAM:
            return "Steam Guard"
        moving = f"counter {self.counter}" if self.type is OtpType.HOTP else f"{self.period} s"
        return f"{self.type.value.upper()} {self.algorithm.value}, {self.digits} digits, {moving}"

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
