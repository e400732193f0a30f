"""Authy's Android preferences (``com.authy.storage.tokens.authenticator.xml``), plain or encrypted.

Encrypted tokens: PBKDF2-HMAC-SHA1 (1000 iterations, the ``salt`` string as salt)
gives an AES-256-CBC key; the IV is zero; the plaintext is the base32 secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.errors import DecryptionError, InvalidAccountError, WrongPasswordError
from otpkeep.otp.account import Account, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

KEYS = ("com.authy.storage.tokens.authenticator.key", "com.authy.storage.tokens.authy.key")
ITERATIONS = 1000
ZERO_IV = bytes(16)
AUTHY_PERIOD = 10


def _tokens(source: Source) -> str | None:
    prefs = source.prefs
    if prefs is None:
        return None
    return next((prefs[key] for key in KEYS if key in prefs), None)


def _detect(source: Source) -> bool:
    return _tokens(source) is not None


def _issuer_and_name(obj: Mapping[str, object]) -> tuple[str, str]:
    name = f.text(obj, "name", "")
    if "secretSeed" in obj:
        return name, ""
    original_issuer = obj.get("originalIssuer")
    original_name = obj.get("originalName")
    separator = ""
    if isinstance(original_issuer, str):
        issuer = original_issuer
    elif isinstance(original_name, str) and ":" in original_name:
        issuer, separator = original_name.split(":", 1)[0], ":"
    elif " - " in name:
        issuer, separator = name.split(" - ", 1)[0], " - "
    else:
        issuer = f.text(obj, "accountType", "").capitalize()
    name = name.replace(issuer + separator, "", 1)
    return issuer, name.removeprefix(": ")


def _decrypt_secret(obj: Mapping[str, object], password: Password) -> bytes:
    sealed = f.b64(f.text(obj, "encryptedSecret"), "the encrypted secret")
    salt = f.text(obj, "salt").encode("utf-8")
    key = hazmat_legacy.pbkdf2("sha1", password.encoded(), salt, ITERATIONS)
    try:
        return decode_base32(hazmat_legacy.aes_cbc_decrypt(key, ZERO_IV, sealed).decode("ascii"))
    except (DecryptionError, UnicodeDecodeError, InvalidAccountError):
        raise WrongPasswordError("The backup password does not open these Authy tokens.") from None


def _account(obj: Mapping[str, object], password: Password) -> Account:
    issuer, name = _issuer_and_name(obj)
    if "secretSeed" in obj:
        secret, period = f.hexbytes(f.text(obj, "secretSeed"), "the secret seed"), AUTHY_PERIOD
    elif "decryptedSecret" in obj:
        secret, period = decode_base32(f.text(obj, "decryptedSecret")), 30
    else:
        secret, period = _decrypt_secret(obj, password), 30
    return Account(
        issuer=issuer, name=name, secret=secret, digits=f.integer(obj, "digits", 6), period=period
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    with f.file_error("Authy"):
        items = f.array(parse_json(_tokens(source) or ""), "the tokens")
    result = []
    for item in items:
        if not isinstance(item, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The token is not a JSON object."))
            continue
        label = f.label_of(item.get("originalIssuer"), item.get("name"))
        result.append(f.entry(label, _account, item, password))
    return result


FORMAT = FormatSpec("authy", _detect, _read, (".xml",))
