"""Microsoft Authenticator's internal database (``PhoneFactor``): its third-party TOTP accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.account import Account, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.sqlitedb import select, table_columns

if TYPE_CHECKING:
    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source

TABLE = "accounts"
COLUMNS = ["name", "username", "oath_secret_key", "account_type"]
TOTP = 0
MICROSOFT = 1
MICROSOFT_DIGITS = 8


def _detect(source: Source) -> bool:
    columns = table_columns(source, TABLE)
    return columns is not None and set(COLUMNS) <= columns


def _account(row: dict[str, object]) -> Account:
    kind = f.integer(row, "account_type", TOTP)
    secret = f.text(row, "oath_secret_key")
    if kind == TOTP:
        key, digits = decode_base32(secret), 6
    elif kind == MICROSOFT:
        key, digits = f.b64(secret, "the secret"), MICROSOFT_DIGITS
    else:
        raise f.EntryError(f"unsupported Microsoft account type {kind}")
    return Account(
        issuer=f.text(row, "name", ""), name=f.text(row, "username", ""), secret=key, digits=digits
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return [
        f.entry(f.label_of(row.get("name"), row.get("username")), _account, row)
        for row in select(source, TABLE, COLUMNS)
    ]


FORMAT = FormatSpec("microsoft-authenticator-db", _detect, _read, (".sqlite", ".db"))
