"""Battle.net Authenticator's Android preferences: serial and secret under a fixed XOR mask."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.account import Account
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source

PREFIX = "com.blizzard.messenger."
SECRET_KEY = PREFIX + "AUTHENTICATOR_DEVICE_SECRET"
SERIAL_KEY = PREFIX + "AUTHENTICATOR_SERIAL"
# The app's fixed obfuscation key (not a secret: it is the same in every install).
MASK = bytes.fromhex(
    "398e27fc50276a656065b0e525f4c06c04c61075286b8e7aeda59da9813b5dd6"
    "c80d2fb38068773fa59ba47c17ca6c6479015c1d5b8b8f6b9a"
)
DIGITS = 8


def _unmask(value: str) -> str:
    masked = f.hexbytes(value, "a masked value")
    if len(masked) > len(MASK):
        raise f.EntryError("a masked value is longer than the mask")
    plain = bytes(a ^ b for a, b in zip(masked, MASK, strict=False))
    try:
        return plain.decode("ascii")
    except UnicodeDecodeError:
        raise f.EntryError("a masked value does not unmask to text") from None


def _detect(source: Source) -> bool:
    return source.prefs is not None and SECRET_KEY in source.prefs


def _account(prefs: dict[str, str]) -> Account:
    serial = prefs.get(SERIAL_KEY, "")
    return Account(
        issuer="Battle.net",
        name=_unmask(serial) if serial else "",
        secret=f.hexbytes(_unmask(prefs[SECRET_KEY]), "the secret"),
        digits=DIGITS,
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    prefs = source.prefs or {}
    return [f.entry("Battle.net", _account, prefs)]


FORMAT = FormatSpec("battle-net", _detect, _read, (".xml",))
