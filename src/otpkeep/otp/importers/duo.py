"""Duo Mobile's accounts file (``duokit/accounts.json``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.account import Account, OtpType, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source


def _detect(source: Source) -> bool:
    doc = source.json
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(item, dict) and "otpGenerator" in item for item in doc)
    )


def _account(obj: Mapping[str, object]) -> Account:
    generator = f.mapping(obj.get("otpGenerator"), "the OTP generator")
    hotp = generator.get("counter") is not None
    return Account(
        issuer="",
        name=f.text(obj, "name", ""),
        secret=decode_base32(f.text(generator, "otpSecret")),
        type=OtpType.HOTP if hotp else OtpType.TOTP,
        counter=f.integer(generator, "counter") if hotp else 0,
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    result = []
    for item in source.json if isinstance(source.json, list) else []:
        label = f.label_of(None, item.get("name"))
        result.append(f.entry(label, _account, item))
    return result


FORMAT = FormatSpec("duo", _detect, _read, (".json",))
