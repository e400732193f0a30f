"""Every import format, in the order detection tries them (the most specific first)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.importers import (
    aegis,
    andotp,
    authplus,
    authy,
    battlenet,
    bitwarden,
    duo,
    freeotp,
    freeotp2,
    googleauth,
    images,
    microsoft,
    otpkeepfile,
    plaintext,
    proton,
    steam,
    stratum,
    totpauth,
    twofas,
)

if TYPE_CHECKING:
    from otpkeep.otp.importers.source import Source
    from otpkeep.otp.importers.spec import FormatSpec

FORMATS: tuple[FormatSpec, ...] = (
    # magic bytes
    otpkeepfile.FORMAT,
    freeotp2.FORMAT,
    stratum.ENCRYPTED,
    images.FORMAT,
    authplus.FORMAT,
    # SQLite databases
    googleauth.FORMAT,
    microsoft.FORMAT,
    stratum.INTERNAL,
    # JSON
    aegis.PLAIN,
    aegis.ENCRYPTED,
    twofas.PLAIN,
    twofas.ENCRYPTED,
    bitwarden.JSON,
    proton.FORMAT,
    stratum.PLAIN,
    freeotp.PLUS_JSON,
    steam.FORMAT,
    andotp.PLAIN,
    duo.FORMAT,
    # Android preferences
    authy.FORMAT,
    battlenet.FORMAT,
    totpauth.INTERNAL,
    freeotp.XML,
    # text
    bitwarden.CSV,
    plaintext.GOOGLE_MIGRATION,
    plaintext.ENTE,
    plaintext.OTPAUTH,
    totpauth.BACKUP,
    # binary without magic: last
    andotp.ENCRYPTED,
)
BY_NAME = {spec.name: spec for spec in FORMATS}


def detect(source: Source) -> FormatSpec | None:
    """The format of ``source``; the file name's suffix decides between formats that match."""
    matches = [spec for spec in FORMATS if spec.detect(source)]
    if not matches:
        return None
    by_suffix = [spec for spec in matches if source.filename.endswith(spec.suffixes)]
    return (by_suffix or matches)[0]
