"""otpkeep's own encrypted export file: the accounts as JSON, sealed under a passphrase."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from otpkeep.crypto.passphrase import MAGIC, open_with_passphrase
from otpkeep.errors import ImportFormatError
from otpkeep.otp.account import Account, OtpType, decode_base32, encode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

KIND = "otpkeep-export"
VERSION = 1


def encode_accounts(accounts: Sequence[Account]) -> bytes:
    """The plaintext of an otpkeep export file."""
    items = [
        {
            "issuer": a.issuer,
            "name": a.name,
            "secret": encode_base32(a.secret),
            "type": a.type.value,
            "algorithm": a.algorithm.value,
            "digits": a.digits,
            "period": a.period,
            "counter": a.counter,
        }
        for a in accounts
    ]
    return json.dumps({"format": KIND, "version": VERSION, "accounts": items}).encode("utf-8")


def _account(obj: Mapping[str, object]) -> Account:
    kind = f.otp_type(f.text(obj, "type"))
    return Account(
        issuer=f.text(obj, "issuer", ""),
        name=f.text(obj, "name", ""),
        secret=decode_base32(f.text(obj, "secret")),
        type=kind,
        algorithm=f.algorithm(f.text(obj, "algorithm", "SHA1")),
        digits=f.integer(obj, "digits", 6),
        period=f.integer(obj, "period", 30),
        counter=f.integer(obj, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def decode_accounts(plain: bytes) -> list[ImportEntry]:
    """The entries of an opened otpkeep export file."""
    try:
        doc = parse_json(plain.decode("utf-8"))
    except UnicodeDecodeError:
        doc = None
    with f.file_error("otpkeep export"):
        obj = f.mapping(doc, "the export")
        if obj.get("format") != KIND or obj.get("version") != VERSION:
            raise f.EntryError("it is not version 1 of the otpkeep export")
        items = f.array(obj.get("accounts"), "the accounts")
    result = []
    for item in items:
        if not isinstance(item, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The account is not a JSON object."))
            continue
        label = f.label_of(item.get("issuer"), item.get("name"))
        result.append(f.entry(label, _account, item))
    return result


def _detect(source: Source) -> bool:
    return source.has_magic(MAGIC)


def _read(source: Source, password: Password) -> list[ImportEntry]:
    plain = open_with_passphrase(password.get(), source.data)
    if not plain:
        raise ImportFormatError("The otpkeep export file is empty.")
    return decode_accounts(plain)


FORMAT = FormatSpec("otpkeep", _detect, _read, (".otpkeep",))
