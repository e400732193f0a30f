"""Google Authenticator's export: ``otpauth-migration://offline?data=BASE64``.

``data`` is a protobuf ``MigrationPayload``: repeated ``otp_parameters`` (1) of
{secret 1, name 2, issuer 3, algorithm 4, digits 5, type 6, counter 7}, then
version 2, batch_size 3, batch_index 4, batch_id 5. The format carries 6 or 8
digits, a 30-second period and SHA1/SHA256/SHA512 only.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl, quote, urlsplit

from otpkeep.errors import InvalidAccountError, InvalidInputError, InvalidURIError
from otpkeep.otp import protobuf
from otpkeep.otp.account import Account, Algorithm, OtpType
from otpkeep.otp.label import export_label, split_label

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

SCHEME = "otpauth-migration"
VERSION = 1
GOOGLE_PERIOD = 30
_MAX_LENGTH = 256 * 1024
_MAX_INT64 = 2**63 - 1

_ALGORITHMS = {0: Algorithm.SHA1, 1: Algorithm.SHA1, 2: Algorithm.SHA256, 3: Algorithm.SHA512}
_ALGORITHM_CODES = {Algorithm.SHA1: 1, Algorithm.SHA256: 2, Algorithm.SHA512: 3}
_DIGITS = {0: 6, 1: 6, 2: 8}
_DIGIT_CODES = {6: 1, 8: 2}
_TYPES = {0: OtpType.TOTP, 1: OtpType.HOTP, 2: OtpType.TOTP}
_TYPE_CODES = {OtpType.HOTP: 1, OtpType.TOTP: 2}
_T = TypeVar("_T")


@dataclasses.dataclass(frozen=True, slots=True)
class MigrationBatch:
    """The accounts of one export QR code, and where it sits in the export (0-based index)."""

    accounts: tuple[Account, ...]
    batch_index: int = 0
    batch_size: int = 1
    batch_id: int = 0


def _text(value: int | bytes) -> str:
    if not isinstance(value, bytes):
        raise TypeError("expected a string")
    return value.decode("utf-8")


def _number(value: int | bytes) -> int:
    if isinstance(value, bytes):
        raise TypeError("expected a varint")
    return value


def _enum(table: Mapping[int, _T], value: int | bytes, what: str) -> _T:
    code = _number(value)
    if code not in table:
        raise InvalidURIError(f"The Google Authenticator export uses an unsupported {what}.")
    return table[code]


def _account(data: bytes) -> Account:
    secret = b""
    name = issuer = ""
    algorithm, digits, kind, counter = Algorithm.SHA1, 6, OtpType.TOTP, 0
    for number, _, value in protobuf.fields(data):
        if number == 1:
            secret = bytes(value) if isinstance(value, bytes) else b""
        elif number == 2:
            name = _text(value)
        elif number == 3:
            issuer = _text(value)
        elif number == 4:
            algorithm = _enum(_ALGORITHMS, value, "algorithm")
        elif number == 5:
            digits = _enum(_DIGITS, value, "number of digits")
        elif number == 6:
            kind = _enum(_TYPES, value, "type of account")
        elif number == 7:
            counter = protobuf.as_int64(_number(value))
    issuer, name = split_label(name, issuer)
    counter = counter if kind is OtpType.HOTP else 0
    return Account(
        issuer,
        name,
        secret,
        type=kind,
        algorithm=algorithm,
        digits=digits,
        period=GOOGLE_PERIOD,
        counter=counter,
    )


def _payload(data: bytes) -> MigrationBatch:
    accounts = []
    index, size, batch_id = 0, 1, 0
    for number, _, value in protobuf.fields(data):
        if number == 1:
            if not isinstance(value, bytes):
                raise TypeError("expected an embedded message")
            accounts.append(_account(value))
        elif number == 3:
            size = protobuf.as_int32(_number(value))
        elif number == 4:
            index = protobuf.as_int32(_number(value))
        elif number == 5:
            batch_id = protobuf.as_int32(_number(value))
    return MigrationBatch(tuple(accounts), index, size, batch_id)


def _data(uri: str) -> bytes:
    uri = uri.strip()
    if len(uri) > _MAX_LENGTH:
        raise InvalidURIError("The Google Authenticator export URI is too long.")
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise InvalidURIError("The text is not a well-formed URI.") from None
    if parts.scheme.lower() != SCHEME:
        raise InvalidURIError("The URI does not start with otpauth-migration://.")
    params = dict(parse_qsl(parts.query))
    # A raw "+" of base64 reads as a space when the exporter did not percent-encode it.
    text = "".join(params.get("data", "").replace(" ", "+").split())
    if not text:
        raise InvalidURIError("The Google Authenticator export URI has no data.")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InvalidURIError(
            "The data of the Google Authenticator export is not base64."
        ) from None


def decode_migration_uri(uri: str) -> MigrationBatch:
    """The accounts of one Google Authenticator export QR code; malformed data raises."""
    data = _data(uri)
    try:
        return _payload(data)
    except InvalidAccountError as exc:
        reason = exc.message[:1].lower() + exc.message[1:]
        raise InvalidURIError(
            f"The Google Authenticator export holds an invalid account: {reason}"
        ) from exc
    except (ValueError, TypeError) as exc:
        raise InvalidURIError("The data of the Google Authenticator export is damaged.") from exc


def unsupported_reason(account: Account) -> str | None:
    """Why Google's export cannot carry ``account`` exactly, or None when it can."""
    if account.type is OtpType.STEAM:
        return "Steam Guard accounts"
    if account.digits not in _DIGIT_CODES:
        return f"{account.digits}-digit codes"
    if account.type is OtpType.TOTP and account.period != GOOGLE_PERIOD:
        return f"a period of {account.period} seconds"
    if account.type is OtpType.HOTP and account.counter > _MAX_INT64:
        return "a counter above 2^63-1"
    return None


def _encode_account(account: Account) -> bytes:
    reason = unsupported_reason(account)
    if reason is not None:
        raise InvalidInputError(
            f"{account.label} cannot be exported to Google Authenticator, "
            f"which does not support {reason}."
        )
    return b"".join(
        (
            protobuf.bytes_field(1, account.secret),
            protobuf.bytes_field(2, export_label(account.issuer, account.name).encode()),
            protobuf.bytes_field(3, account.issuer.encode()),
            protobuf.varint_field(4, _ALGORITHM_CODES[account.algorithm]),
            protobuf.varint_field(5, _DIGIT_CODES[account.digits]),
            protobuf.varint_field(6, _TYPE_CODES[account.type]),
            protobuf.varint_field(7, account.counter) if account.type is OtpType.HOTP else b"",
        )
    )


def encode_migration_uris(
    accounts: Sequence[Account], *, batch_id: int, max_per_batch: int = 10
) -> list[str]:
    """Google Authenticator export URIs for ``accounts``, ``max_per_batch`` accounts each.

    Accounts the format cannot carry exactly (Steam, 7/9/10 digits, periods other than
    30 seconds) raise :class:`InvalidInputError` naming the account.
    """
    if max_per_batch < 1:
        raise ValueError("max_per_batch must be at least 1")
    if not -(2**31) <= batch_id < 2**31:
        raise ValueError("batch_id must fit in a signed 32-bit integer")
    encoded = [_encode_account(account) for account in accounts]
    batches = [encoded[i : i + max_per_batch] for i in range(0, len(encoded), max_per_batch)]
    uris = []
    for index, batch in enumerate(batches):
        payload = b"".join(protobuf.bytes_field(1, entry) for entry in batch) + b"".join(
            (
                protobuf.varint_field(2, VERSION),
                protobuf.varint_field(3, len(batches)),
                protobuf.varint_field(4, index),
                protobuf.varint_field(5, batch_id),
            )
        )
        data = quote(base64.b64encode(payload).decode("ascii"), safe="")
        uris.append(f"{SCHEME}://offline?data={data}")
    return uris
