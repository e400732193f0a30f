"""FreeOTP's ``tokens.xml`` (also FreeOTP+'s internal file) and FreeOTP+'s JSON export.

Each token is JSON with the secret as a Java ``byte[]``. FreeOTP stores an HOTP
counter one below the next code's, and that is what is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.account import Account, OtpType
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

ORDER_KEY = "tokenOrder"


def token_account(obj: Mapping[str, object], secret: bytes | None = None) -> Account:
    """The account of one FreeOTP token; ``secret`` overrides the token's own."""
    kind = f.otp_type(f.text(obj, "type"))
    issuer = f.text(obj, "issuerExt", "")
    if kind is OtpType.TOTP and issuer == "Steam":
        kind = OtpType.STEAM
    return Account(
        issuer=issuer,
        name=f.text(obj, "label", ""),
        secret=secret if secret is not None else f.signed_bytes(obj.get("secret")),
        type=kind,
        algorithm=f.algorithm(f.text(obj, "algo", "SHA1")),
        digits=f.integer(obj, "digits", 6),
        period=f.integer(obj, "period", 30) if kind is not OtpType.HOTP else 30,
        counter=f.integer(obj, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def token_entries(tokens: list[object]) -> list[ImportEntry]:
    """One report entry per token object."""
    result = []
    for token in tokens:
        if not isinstance(token, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The token is not a JSON object."))
            continue
        label = f.label_of(token.get("issuerExt"), token.get("label"))
        result.append(f.entry(label, token_account, token))
    return result


def _prefs_tokens(source: Source) -> list[object] | None:
    prefs = source.prefs
    if not prefs:
        return None
    tokens = [parse_json(value) for key, value in prefs.items() if key != ORDER_KEY]
    if not tokens or not all(isinstance(t, dict) and "secret" in t for t in tokens):
        return None
    return list(tokens)


def _is_xml(source: Source) -> bool:
    return _prefs_tokens(source) is not None


def _read_xml(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return token_entries(_prefs_tokens(source) or [])


def _is_plus_json(source: Source) -> bool:
    doc = source.json
    return isinstance(doc, dict) and isinstance(doc.get("tokens"), list) and ORDER_KEY in doc


def _read_plus_json(source: Source, password: Password) -> list[ImportEntry]:
    del password
    with f.file_error("FreeOTP+"):
        tokens = f.array(f.mapping(source.json).get("tokens"), "the tokens")
    return token_entries(tokens)


XML = FormatSpec("freeotp", _is_xml, _read_xml, (".xml",))
PLUS_JSON = FormatSpec("freeotp-plus", _is_plus_json, _read_plus_json, (".json",))
