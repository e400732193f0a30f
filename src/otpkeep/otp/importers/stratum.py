"""Stratum (formerly Authenticator Pro) backups: plain, encrypted, legacy, internal database.

Encrypted: ``AUTHENTICATORPRO`` ‖ salt(16) ‖ iv(12) ‖ AES-GCM, key = Argon2id
(t=3, m=64 MiB, p=4). Legacy: ``AuthenticatorPro`` ‖ salt(20) ‖ iv(16) ‖ AES-CBC,
key = PBKDF2-HMAC-SHA1 (64 000 iterations).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.errors import DecryptionError, ImportFormatError, WrongPasswordError
from otpkeep.otp.account import Account, Algorithm, OtpType, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.sqlitedb import select, table_columns

if TYPE_CHECKING:
    from collections.abc import Mapping

HEADER = b"AUTHENTICATORPRO"
LEGACY_HEADER = b"AuthenticatorPro"
ARGON2_ITERATIONS = 3
ARGON2_MEMORY_KIB = 64 * 1024
ARGON2_LANES = 4
LEGACY_ITERATIONS = 64_000
TYPES = {1: OtpType.HOTP, 2: OtpType.TOTP, 4: OtpType.STEAM}
TYPE_NAMES = {3: "mOTP", 5: "Yandex"}
ALGORITHMS = (Algorithm.SHA1, Algorithm.SHA256, Algorithm.SHA512)
TABLE = "authenticator"
COLUMNS = ["type", "issuer", "username", "secret", "algorithm", "digits", "period", "counter"]


def _account(row: Mapping[str, object]) -> Account:
    code = f.integer(row, "type")
    kind = TYPES.get(code)
    if kind is None:
        raise f.EntryError(f"unsupported type {TYPE_NAMES.get(code, str(code))!r}")
    algorithm = f.integer(row, "algorithm", 0)
    if not 0 <= algorithm < len(ALGORITHMS):
        raise f.EntryError(f"unsupported algorithm number {algorithm}")
    return Account(
        issuer=f.text(row, "issuer", ""),
        name=f.text(row, "username", ""),
        secret=decode_base32(f.text(row, "secret")),
        type=kind,
        algorithm=ALGORITHMS[algorithm],
        digits=f.integer(row, "digits", 6),
        period=f.integer(row, "period", 30) if kind is not OtpType.HOTP else 30,
        counter=f.integer(row, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def _entries(rows: list[object]) -> list[ImportEntry]:
    result = []
    for row in rows:
        if not isinstance(row, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The entry is not a JSON object."))
            continue
        label = f.label_of(row.get("issuer"), row.get("username"))
        result.append(f.entry(label, _account, row))
    return result


def _lowercase_keys(doc: object) -> list[object]:
    with f.file_error("Stratum"):
        items = f.array(f.mapping(doc, "the backup").get("Authenticators"))
    return [{k.lower(): v for k, v in i.items()} if isinstance(i, dict) else i for i in items]


def _is_plain(source: Source) -> bool:
    doc = source.json
    return isinstance(doc, dict) and isinstance(doc.get("Authenticators"), list)


def _read_plain(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return _entries(_lowercase_keys(source.json))


def _is_encrypted(source: Source) -> bool:
    return source.has_magic(HEADER) or source.has_magic(LEGACY_HEADER)


def _decrypt(data: bytes, password: Password) -> bytes:
    secret = password.encoded()
    try:
        if data.startswith(HEADER):
            body = data[len(HEADER) :]
            key = hazmat_legacy.argon2id(
                secret,
                body[:16],
                iterations=ARGON2_ITERATIONS,
                memory_kib=ARGON2_MEMORY_KIB,
                lanes=ARGON2_LANES,
            )
            return hazmat_legacy.aes_gcm_decrypt(key, body[16:28], body[28:])
        body = data[len(LEGACY_HEADER) :]
        key = hazmat_legacy.pbkdf2("sha1", secret, body[:20], LEGACY_ITERATIONS)
        return hazmat_legacy.aes_cbc_decrypt(key, body[20:36], body[36:])
    except DecryptionError:
        raise WrongPasswordError("The password does not open this Stratum backup.") from None


def _read_encrypted(source: Source, password: Password) -> list[ImportEntry]:
    plain = _decrypt(source.data, password)
    try:
        doc = parse_json(plain.decode("utf-8"))
    except UnicodeDecodeError:
        doc = None
    if doc is None:
        raise WrongPasswordError("The password does not open this Stratum backup.")
    return _entries(_lowercase_keys(doc))


def _is_internal(source: Source) -> bool:
    columns = table_columns(source, TABLE)
    return columns is not None and set(COLUMNS) <= columns


def _read_internal(source: Source, password: Password) -> list[ImportEntry]:
    del password
    rows = select(source, TABLE, COLUMNS)
    if not isinstance(rows, list):
        raise ImportFormatError("The Stratum database is damaged.")
    return _entries(list(rows))


PLAIN = FormatSpec("stratum", _is_plain, _read_plain, (".json",))
ENCRYPTED = FormatSpec("stratum-encrypted", _is_encrypted, _read_encrypted, (".bin", ".authpro"))
INTERNAL = FormatSpec("stratum-db", _is_internal, _read_internal, (".db", ".db3"))
