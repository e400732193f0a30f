"""Reading the fields of a decoded export file, and turning each entry into a report line.

``EntryError`` marks a problem with one entry (the entry is skipped with that
reason); ``file_error`` turns it into :class:`ImportFormatError` where the
problem is with the whole file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
from collections.abc import Callable, Iterator, Mapping
from typing import ParamSpec

from otpkeep.errors import ImportFormatError, InvalidAccountError, InvalidURIError
from otpkeep.otp.account import Account, Algorithm, OtpType
from otpkeep.otp.importers.report import ImportEntry

MAX_ENTRIES = 100_000
_P = ParamSpec("_P")


class EntryError(Exception):
    """One entry (or one field) that cannot be read; ``str()`` is the reason."""


@contextlib.contextmanager
def file_error(what: str) -> Iterator[None]:
    """Report an :class:`EntryError` raised inside as a damaged ``what`` file."""
    try:
        yield
    except EntryError as exc:
        raise ImportFormatError(f"This {what} file is damaged: {exc}") from None


def mapping(value: object, what: str = "an entry") -> Mapping[str, object]:
    """``value`` as a JSON object."""
    if not isinstance(value, Mapping):
        raise EntryError(f"{what} is not a JSON object")
    return value


def array(value: object, what: str = "the list of entries") -> list[object]:
    """``value`` as a JSON array, bounded in length."""
    if not isinstance(value, list):
        raise EntryError(f"{what} is not a JSON array")
    if len(value) > MAX_ENTRIES:
        raise EntryError(f"{what} has more than {MAX_ENTRIES} items")
    return value


def text(obj: Mapping[str, object], key: str, default: str | None = None) -> str:
    """A string field; ``default`` when missing or null, else an error."""
    value = obj.get(key)
    if value is None and default is not None:
        return default
    if not isinstance(value, str):
        raise EntryError(f"field {key!r} is missing or not text")
    return value


def integer(obj: Mapping[str, object], key: str, default: int | None = None) -> int:
    """An integer field (also written as a string of digits); ``default`` when missing."""
    value = obj.get(key)
    if value is None and default is not None:
        return default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value) < 24:
        return int(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**64:
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise EntryError(f"field {key!r} is missing or not a number")
    return value


def signed_bytes(value: object) -> bytes:
    """A Java ``byte[]`` as JSON: an array of numbers from -128 to 255."""
    items = array(value, "the secret")
    if not all(isinstance(b, int) and not isinstance(b, bool) and -128 <= b <= 255 for b in items):
        raise EntryError("the secret is not an array of bytes")
    return bytes(b & 0xFF for b in items)  # type: ignore[operator]


def b64(value: str, what: str = "a base64 field") -> bytes:
    """Standard base64 (with or without padding, URL-safe alphabet accepted)."""
    cleaned = "".join(value.split()).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise EntryError(f"{what} is not valid base64") from None


def hexbytes(value: str, what: str = "a hex field") -> bytes:
    """Hexadecimal bytes."""
    try:
        return bytes.fromhex(value.strip())
    except ValueError:
        raise EntryError(f"{what} is not valid hexadecimal") from None


def otp_type(value: str) -> OtpType:
    """``totp``/``hotp``/``steam`` in any case; anything else is an unsupported type."""
    try:
        return OtpType(value.strip().lower())
    except ValueError:
        raise EntryError(f"unsupported type {value.strip()[:20]!r}") from None


def algorithm(value: str) -> Algorithm:
    """An algorithm name as other apps write it."""
    try:
        return Algorithm.parse(value)
    except InvalidAccountError as exc:
        raise EntryError(str(exc)) from None


def entry(
    label: str, build: Callable[_P, Account], *args: _P.args, **kwargs: _P.kwargs
) -> ImportEntry:
    """Build one account with ``build(*args)``; a failure becomes a skipped entry that says why."""
    try:
        return ImportEntry.imported(build(*args, **kwargs))
    except (EntryError, InvalidAccountError, InvalidURIError) as exc:
        return ImportEntry.skipped(label, sentence(str(exc)))


def sentence(reason: str) -> str:
    """``reason`` as a sentence: a capital first letter and a full stop."""
    reason = reason.strip()
    reason = reason[:1].upper() + reason[1:]
    return reason if reason.endswith((".", "?", "!")) else reason + "."


def label_of(issuer: object, name: object) -> str:
    """A label for an entry that may not decode, from whatever text it has."""
    parts = [p for p in (issuer, name) if isinstance(p, str) and p]
    return ": ".join(parts)[:200] or "(unnamed)"
