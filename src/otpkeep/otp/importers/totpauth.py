"""TOTP Authenticator (com.authenticator.authservice2): its backup file and internal preferences.

The backup is base64 of AES-256-CBC (zero IV) under SHA-256 of the password; the
plaintext is a JSON object whose first key is the JSON list of accounts. Every
account is TOTP, SHA1, 6 digits, 30 seconds; the key is hex, base32 or base64.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.errors import DecryptionError, ImportFormatError, WrongPasswordError
from otpkeep.otp.account import Account, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

PREF_KEY = "STATIC_TOTP_CODES_LIST"
ZERO_IV = bytes(16)
BASE64_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")


def _secret(obj: Mapping[str, object]) -> bytes:
    key, base = f.text(obj, "key"), f.integer(obj, "base", 16)
    if base == 16:
        return f.hexbytes(key, "the key")
    if base == 32:
        return decode_base32(key)
    if base == 64:
        return f.b64(key, "the key")
    raise f.EntryError(f"unsupported key encoding base {base}")


def _account(obj: Mapping[str, object]) -> Account:
    return Account(
        issuer=f.text(obj, "issuer", ""), name=f.text(obj, "name", ""), secret=_secret(obj)
    )


def _entries(listing: object) -> list[ImportEntry]:
    if isinstance(listing, str):
        listing = parse_json(listing)
    with f.file_error("TOTP Authenticator"):
        items = f.array(listing, "the accounts")
    result = []
    for item in items:
        obj = parse_json(item) if isinstance(item, str) else item
        if not isinstance(obj, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The account is not a JSON object."))
            continue
        label = f.label_of(obj.get("issuer"), obj.get("name"))
        result.append(f.entry(label, _account, obj))
    return result


def _is_internal(source: Source) -> bool:
    return source.prefs is not None and PREF_KEY in source.prefs


def _read_internal(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return _entries((source.prefs or {}).get(PREF_KEY, ""))


def _ciphertext(source: Source) -> bytes | None:
    text = source.text
    if text is None:
        return None
    compact = text.strip()
    if len(compact) < 24 or not set(compact) <= BASE64_ALPHABET:
        return None
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data and len(data) % 16 == 0 else None


def _is_backup(source: Source) -> bool:
    return _ciphertext(source) is not None


def _read_backup(source: Source, password: Password) -> list[ImportEntry]:
    data = _ciphertext(source) or b""
    try:
        plain = hazmat_legacy.aes_cbc_decrypt(
            hazmat_legacy.sha256(password.encoded()), ZERO_IV, data
        )
        doc = parse_json(plain.decode("utf-8"))
    except (DecryptionError, UnicodeDecodeError):
        raise WrongPasswordError(
            "The password does not open this TOTP Authenticator backup."
        ) from None
    if not isinstance(doc, dict):
        raise WrongPasswordError("The password does not open this TOTP Authenticator backup.")
    if not doc:
        raise ImportFormatError("The TOTP Authenticator backup holds no accounts.")
    return _entries(next(iter(doc)))


INTERNAL = FormatSpec("totp-authenticator-prefs", _is_internal, _read_internal, (".xml",))
BACKUP = FormatSpec("totp-authenticator", _is_backup, _read_backup, (".bin", ".encrypt"))
