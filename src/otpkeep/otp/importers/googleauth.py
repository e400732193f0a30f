"""Google Authenticator's legacy internal database (``databases``, versions up to 5.10)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.account import Account, OtpType, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.sqlitedb import select, table_columns
from otpkeep.otp.label import split_label

if TYPE_CHECKING:
    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source

TABLE = "accounts"
COLUMNS = ["email", "secret", "counter", "type", "issuer"]
TYPES = {0: OtpType.TOTP, 1: OtpType.HOTP}


def _detect(source: Source) -> bool:
    columns = table_columns(source, TABLE)
    return columns is not None and set(COLUMNS) <= columns


def _account(row: dict[str, object]) -> Account:
    kind = TYPES.get(f.integer(row, "type", 0))
    if kind is None:
        raise f.EntryError(f"unsupported type {row.get('type')!r}")
    issuer, name = split_label(f.text(row, "email", ""), f.text(row, "issuer", ""))
    return Account(
        issuer=issuer,
        name=name,
        secret=decode_base32(f.text(row, "secret")),
        type=kind,
        counter=f.integer(row, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return [
        f.entry(f.label_of(row.get("issuer"), row.get("email")), _account, row)
        for row in select(source, TABLE, COLUMNS)
    ]


FORMAT = FormatSpec("google-authenticator-db", _detect, _read, (".sqlite", ".db"))
