"""andOTP backups: plain JSON, and encrypted (PBKDF2-SHA1 + AES-GCM, or the old SHA-256 key)."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.errors import DecryptionError, ImportFormatError, WrongPasswordError
from otpkeep.otp.account import Account, OtpType, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import JPEG_MAGIC, PNG_MAGIC, Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

SALT = 12
NONCE = 12
TAG = 16
MIN_ITERATIONS = 1_000
MAX_ITERATIONS = 10_000_000
KNOWN_MAGIC = (b"\xac\xed", b"AUTHENTICATORPRO", b"AuthenticatorPro", b"SQLite format 3", b"PK")


def _is_plain(source: Source) -> bool:
    doc = source.json
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(item, dict) and "secret" in item and "type" in item for item in doc)
    )


def _is_encrypted(source: Source) -> bool:
    """andOTP's encrypted backups: a plausible PBKDF2 iteration count, or andOTP's file name.

    The current format starts with the iteration count (andOTP writes 140,000 to
    160,000); the old one (before 0.6.3) has no header at all, so only its name
    (``otp_accounts.json.aes``) or ``--format andotp-encrypted`` says what it is.
    Random bytes are neither, and are refused before any password is asked.
    """
    data = source.data
    if len(data) < NONCE + TAG + 2 or source.text is not None:
        return False
    if data.startswith((*KNOWN_MAGIC, PNG_MAGIC, JPEG_MAGIC)):
        return False
    if source.filename.endswith(".aes"):
        return True
    (iterations,) = struct.unpack(">I", data[:4])
    return MIN_ITERATIONS <= iterations <= MAX_ITERATIONS and len(data) >= 4 + SALT + NONCE + TAG


def _could_be_old(source: Source) -> bool:
    """With ``--format andotp-encrypted``: any binary file can be an old andOTP backup."""
    return len(source.data) >= NONCE + TAG + 2 and source.text is None


def _account(obj: Mapping[str, object]) -> Account:
    kind = f.otp_type(f.text(obj, "type"))
    return Account(
        issuer=f.text(obj, "issuer", ""),
        name=f.text(obj, "label", ""),
        secret=decode_base32(f.text(obj, "secret")),
        type=kind,
        algorithm=f.algorithm(f.text(obj, "algorithm", "SHA1")),
        digits=f.integer(obj, "digits", 6),
        period=f.integer(obj, "period", 30) if kind is not OtpType.HOTP else 30,
        counter=f.integer(obj, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def _entries(doc: object) -> list[ImportEntry]:
    with f.file_error("andOTP"):
        items = f.array(doc)
    result = []
    for item in items:
        if not isinstance(item, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The entry is not a JSON object."))
            continue
        label = f.label_of(item.get("issuer"), item.get("label"))
        result.append(f.entry(label, _account, item))
    return result


def _decrypt(data: bytes, password: Password) -> bytes:
    secret = password.encoded()
    (iterations,) = struct.unpack(">I", data[:4])
    if MIN_ITERATIONS <= iterations <= MAX_ITERATIONS and len(data) >= 4 + SALT + NONCE + TAG:
        salt = data[4 : 4 + SALT]
        nonce = data[4 + SALT : 4 + SALT + NONCE]
        key = hazmat_legacy.pbkdf2("sha1", secret, salt, iterations)
        try:
            return hazmat_legacy.aes_gcm_decrypt(key, nonce, data[4 + SALT + NONCE :])
        except DecryptionError:
            pass
    try:
        return hazmat_legacy.aes_gcm_decrypt(
            hazmat_legacy.sha256(secret), data[:NONCE], data[NONCE:]
        )
    except DecryptionError:
        raise WrongPasswordError("The password does not open this andOTP backup.") from None


def _read_plain(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return _entries(source.json)


def _read_encrypted(source: Source, password: Password) -> list[ImportEntry]:
    plain = _decrypt(source.data, password)
    try:
        doc = parse_json(plain.decode("utf-8"))
    except UnicodeDecodeError:
        doc = None
    if not isinstance(doc, list):
        raise ImportFormatError("The andOTP backup is damaged: it does not hold a list of entries.")
    return _entries(doc)


PLAIN = FormatSpec("andotp", _is_plain, _read_plain, (".json",))
ENCRYPTED = FormatSpec(
    "andotp-encrypted", _is_encrypted, _read_encrypted, (".aes", ".bin"), named=_could_be_old
)
