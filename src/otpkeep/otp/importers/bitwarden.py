"""Bitwarden's unencrypted exports, JSON and CSV: the TOTP field of each login.

Items without a TOTP field are passwords, not authenticator entries, and are not
reported.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from otpkeep.errors import ImportFormatError
from otpkeep.otp.account import Account, OtpType, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.uritext import OTPAUTH, uri_entry

if TYPE_CHECKING:
    from collections.abc import Mapping

    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source

STEAM = "steam://"
CSV_COLUMN = "login_totp"
CSV_USERNAME = "login_username"
MAX_FIELD = 64 * 1024


def _bare_account(issuer: str, name: str, secret: str, kind: OtpType) -> Account:
    return Account(issuer=issuer, name=name, secret=decode_base32(secret), type=kind)


def _totp_entry(value: str, item_name: str, username: str) -> list[ImportEntry]:
    """The TOTP field: an otpauth URI, ``steam://SECRET``, or a bare base32 secret.

    A bare secret carries no label: the item's name is the issuer and the login's
    username the account name, as Bitwarden shows them.
    """
    value = value.strip()
    label = f.label_of(item_name, username)
    if value.lower().startswith(OTPAUTH):
        return uri_entry(value, item_name)
    if value.lower().startswith(STEAM):
        secret = value[len(STEAM) :]
        return [f.entry(label, _bare_account, "Steam", username, secret, OtpType.STEAM)]
    return [f.entry(label, _bare_account, item_name, username, value, OtpType.TOTP)]


def _username(login: Mapping[str, object]) -> str:
    username = login.get("username")
    return username.strip() if isinstance(username, str) else ""


def _is_json(source: Source) -> bool:
    doc = source.json
    return isinstance(doc, dict) and "encrypted" in doc and isinstance(doc.get("items"), list)


def _read_json(source: Source, password: Password) -> list[ImportEntry]:
    del password
    doc = f.mapping(source.json)
    if doc.get("encrypted") is not False:
        raise ImportFormatError(
            "This Bitwarden export is encrypted: export it again as unencrypted JSON."
        )
    with f.file_error("Bitwarden"):
        items = f.array(doc.get("items"), "the items")
    result: list[ImportEntry] = []
    for item in items:
        login = item.get("login") if isinstance(item, dict) else None
        totp = login.get("totp") if isinstance(login, dict) else None
        if isinstance(totp, str) and totp.strip() and isinstance(item, dict):
            name = item.get("name")
            item_name = name.strip() if isinstance(name, str) else ""
            result.extend(_totp_entry(totp, item_name, _username(f.mapping(login))))
    return result


def _is_csv(source: Source) -> bool:
    text = source.text
    return text is not None and CSV_COLUMN in text.split("\n", 1)[0].split(",")


def _read_csv(source: Source, password: Password) -> list[ImportEntry]:
    del password
    csv.field_size_limit(MAX_FIELD)
    result: list[ImportEntry] = []
    try:
        for row in csv.DictReader(io.StringIO(source.text or "")):
            totp = row.get(CSV_COLUMN)
            if isinstance(totp, str) and totp.strip():
                name, username = str(row.get("name") or ""), str(row.get(CSV_USERNAME) or "")
                result.extend(_totp_entry(totp, name.strip(), username.strip()))
    except csv.Error as exc:
        raise ImportFormatError("This Bitwarden CSV file is damaged.") from exc
    return result


JSON = FormatSpec("bitwarden", _is_json, _read_json, (".json",))
CSV = FormatSpec("bitwarden-csv", _is_csv, _read_csv, (".csv",))
