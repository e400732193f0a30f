"""2FAS Authenticator backups, schemas 1 to 4, plain and encrypted (PBKDF2-SHA256, AES-GCM)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.errors import DecryptionError, ImportFormatError, WrongPasswordError
from otpkeep.otp.account import Account, OtpType, decode_base32
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

ITERATIONS = 10_000


def _is_twofas(source: Source) -> bool:
    doc = source.json
    return (
        isinstance(doc, dict) and "schemaVersion" in doc and isinstance(doc.get("services"), list)
    )


def _is_encrypted(source: Source) -> bool:
    doc = source.json
    return (
        _is_twofas(source)
        and isinstance(doc, dict)
        and isinstance(doc.get("servicesEncrypted"), str)
    )


def _is_plain(source: Source) -> bool:
    return _is_twofas(source) and not _is_encrypted(source)


def _account(service: Mapping[str, object]) -> Account:
    otp = f.mapping(service.get("otp", {}), "the service's otp")
    kind = f.otp_type(f.text(otp, "tokenType", "TOTP"))
    # 2FAS shows the service's name; otp.issuer is what the QR code said, often empty.
    # A service named after the account (what 2FAS does without an issuer) adds nothing.
    name = f.text(otp, "account", "")
    issuer = f.text(otp, "issuer", "")
    if not issuer:
        service_name = f.text(service, "name", "")
        issuer = "" if service_name == name else service_name
    return Account(
        issuer=issuer,
        name=name,
        secret=decode_base32(f.text(service, "secret")),
        type=kind,
        algorithm=f.algorithm(f.text(otp, "algorithm", "SHA1")),
        digits=f.integer(otp, "digits", 6),
        period=f.integer(otp, "period", 30) if kind is not OtpType.HOTP else 30,
        counter=f.integer(otp, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def _entries(services: list[object]) -> list[ImportEntry]:
    result = []
    for service in services:
        if not isinstance(service, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The service is not a JSON object."))
            continue
        otp = service.get("otp")
        account = otp.get("account") if isinstance(otp, dict) else None
        label = f.label_of(service.get("name"), account)
        result.append(f.entry(label, _account, service))
    return result


def _decrypt(blob: str, password: Password) -> list[object]:
    parts = blob.split(":")
    if len(parts) != 3:
        raise f.EntryError("its encrypted services are not ciphertext:salt:iv")
    sealed, salt, iv = (f.b64(part, "the encrypted services") for part in parts)
    key = hazmat_legacy.pbkdf2("sha256", password.encoded(), salt, ITERATIONS)
    try:
        plain = hazmat_legacy.aes_gcm_decrypt(key, iv, sealed)
    except DecryptionError:
        raise WrongPasswordError("The password does not open this 2FAS backup.") from None
    try:
        doc = parse_json(plain.decode("utf-8"))
    except UnicodeDecodeError:
        doc = None
    return f.array(doc, "the decrypted services")


def _read_plain(source: Source, password: Password) -> list[ImportEntry]:
    del password
    with f.file_error("2FAS"):
        services = f.array(f.mapping(source.json).get("services"), "the services")
    return _entries(services)


def _read_encrypted(source: Source, password: Password) -> list[ImportEntry]:
    with f.file_error("2FAS"):
        services = _decrypt(f.text(f.mapping(source.json), "servicesEncrypted"), password)
    if not isinstance(services, list):
        raise ImportFormatError("The 2FAS backup is damaged.")
    return _entries(services)


PLAIN = FormatSpec("2fas", _is_plain, _read_plain, (".2fas", ".json"))
ENCRYPTED = FormatSpec("2fas-encrypted", _is_encrypted, _read_encrypted, (".2fas",))
