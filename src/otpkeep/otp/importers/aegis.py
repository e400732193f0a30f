"""Aegis vault exports, plain and encrypted (scrypt password slots, AES-256-GCM)."""

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

PASSWORD_SLOT = 1


def _header(source: Source) -> Mapping[str, object] | None:
    doc = source.json
    if isinstance(doc, dict) and isinstance(doc.get("header"), dict) and "db" in doc:
        return doc["header"]  # type: ignore[no-any-return]
    return None


def is_plain(source: Source) -> bool:
    """An Aegis export whose ``db`` is a JSON object."""
    doc = source.json
    return _header(source) is not None and isinstance(doc, dict) and isinstance(doc["db"], dict)


def is_encrypted(source: Source) -> bool:
    """An Aegis export whose ``db`` is base64 ciphertext."""
    doc = source.json
    return _header(source) is not None and isinstance(doc, dict) and isinstance(doc["db"], str)


def _master_key(header: Mapping[str, object], password: Password) -> bytes:
    slots = [f.mapping(s, "a key slot") for s in f.array(header.get("slots"), "the key slots")]
    slots = [s for s in slots if f.integer(s, "type", -1) == PASSWORD_SLOT]
    if not slots:
        raise f.EntryError("it has no password slot")
    secret = password.encoded()
    for slot in slots:
        params = f.mapping(slot.get("key_params"), "the slot's key parameters")
        key = hazmat_legacy.scrypt(
            secret,
            f.hexbytes(f.text(slot, "salt"), "the salt"),
            n=f.integer(slot, "n"),
            r=f.integer(slot, "r"),
            p=f.integer(slot, "p"),
        )
        sealed = f.hexbytes(f.text(slot, "key")) + f.hexbytes(f.text(params, "tag"))
        try:
            return hazmat_legacy.aes_gcm_decrypt(key, f.hexbytes(f.text(params, "nonce")), sealed)
        except DecryptionError:
            continue
    raise WrongPasswordError("The password does not open this Aegis export.")


def _decrypt(doc: Mapping[str, object], password: Password) -> object:
    header = f.mapping(doc.get("header"), "the header")
    params = f.mapping(header.get("params"), "the vault parameters")
    master = _master_key(header, password)
    sealed = f.b64(f.text(doc, "db"), "the vault") + f.hexbytes(f.text(params, "tag"))
    try:
        plain = hazmat_legacy.aes_gcm_decrypt(master, f.hexbytes(f.text(params, "nonce")), sealed)
    except DecryptionError:
        raise ImportFormatError(
            "The Aegis export is damaged: its vault does not decrypt."
        ) from None
    try:
        return parse_json(plain.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _account(obj: Mapping[str, object]) -> Account:
    info = f.mapping(obj.get("info"), "the entry's info")
    kind = f.otp_type(f.text(obj, "type"))
    return Account(
        issuer=f.text(obj, "issuer", ""),
        name=f.text(obj, "name", ""),
        secret=decode_base32(f.text(info, "secret")),
        type=kind,
        algorithm=f.algorithm(f.text(info, "algo", "SHA1")),
        digits=f.integer(info, "digits", 6),
        period=f.integer(info, "period", 30) if kind is not OtpType.HOTP else 30,
        counter=f.integer(info, "counter", 0) if kind is OtpType.HOTP else 0,
    )


def entries_of(db: object) -> list[ImportEntry]:
    """The entries of a decrypted Aegis ``db`` object."""
    with f.file_error("Aegis"):
        items = f.array(f.mapping(db, "the vault").get("entries"))
    result = []
    for item in items:
        if not isinstance(item, dict):
            result.append(ImportEntry.skipped("(unnamed)", "The entry is not a JSON object."))
            continue
        label = f.label_of(item.get("issuer"), item.get("name"))
        result.append(f.entry(label, _account, item))
    return result


def _read_plain(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return entries_of(f.mapping(source.json).get("db"))


def _read_encrypted(source: Source, password: Password) -> list[ImportEntry]:
    with f.file_error("Aegis"):
        db = _decrypt(f.mapping(source.json), password)
    if db is None:
        raise ImportFormatError("The Aegis export is damaged: its vault is not JSON.")
    return entries_of(db)


PLAIN = FormatSpec("aegis", is_plain, _read_plain, (".json",))
ENCRYPTED = FormatSpec("aegis-encrypted", is_encrypted, _read_encrypted, (".json",))
