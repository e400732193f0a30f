"""2FAS Authenticator backups, schema 4, unencrypted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from otpkeep.otp.account import Account, OtpType, encode_base32

if TYPE_CHECKING:
    from collections.abc import Sequence

SCHEMA_VERSION = 4
APP_VERSION_CODE = 5000009
APP_VERSION_NAME = "5.1.0"


def _service(account: Account, position: int, now_ms: int) -> dict[str, object]:
    otp: dict[str, object] = {
        "label": account.name,
        "account": account.name,
        "issuer": account.issuer,
        "digits": account.digits,
        "algorithm": account.algorithm.value,
        "tokenType": account.type.value.upper(),
        "source": "Link",
    }
    if account.type is OtpType.HOTP:
        otp["counter"] = account.counter
    else:
        otp["period"] = account.period
    return {
        "name": account.issuer or account.name,
        "secret": encode_base32(account.secret),
        "updatedAt": now_ms,
        "otp": otp,
        "order": {"position": position},
    }


def backup(accounts: Sequence[Account], *, now_ms: int = 0) -> bytes:
    """A plain 2FAS backup of ``accounts`` (``now_ms`` is the modification time it records)."""
    doc = {
        "services": [_service(a, i, now_ms) for i, a in enumerate(accounts)],
        "groups": [],
        "updatedAt": now_ms,
        "schemaVersion": SCHEMA_VERSION,
        "appVersionCode": APP_VERSION_CODE,
        "appVersionName": APP_VERSION_NAME,
        "appOrigin": "android",
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")
