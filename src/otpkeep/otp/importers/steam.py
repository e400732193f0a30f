"""Steam Guard files (Steam Desktop Authenticator ``maFile`` and the app's JSON)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.account import Account, OtpType
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source


def _accounts(doc: object) -> list[object] | None:
    if not isinstance(doc, dict):
        return None
    if "shared_secret" in doc:
        return [doc]
    accounts = doc.get("accounts")
    if isinstance(accounts, dict) and all(
        isinstance(a, dict) and "shared_secret" in a for a in accounts.values()
    ):
        return list(accounts.values())
    return None


def _detect(source: Source) -> bool:
    return bool(_accounts(source.json))


def _account(obj: Mapping[str, object]) -> Account:
    return Account(
        issuer="Steam",
        name=f.text(obj, "account_name", ""),
        secret=f.b64(f.text(obj, "shared_secret"), "the shared secret"),
        type=OtpType.STEAM,
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    result = []
    for item in _accounts(source.json) or []:
        obj = f.mapping(item) if isinstance(item, dict) else {}
        label = f.label_of("Steam", obj.get("account_name"))
        result.append(f.entry(label, _account, obj))
    return result


FORMAT = FormatSpec("steam", _detect, _read, (".json", ".mafile"))
