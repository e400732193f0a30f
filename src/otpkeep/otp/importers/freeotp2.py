"""FreeOTP 2 backups: a Java-serialised map of a password-wrapped master key and tokens.

``masterKey`` is JSON: PBKDF2 (SHA-1 or SHA-512) of the password unwraps, with
AES-GCM, the master key. Each token ``<uuid>`` holds its secret AES-GCM-encrypted
under the master key; ``<uuid>-token`` holds the rest of the token as JSON. The
GCM nonce is inside DER-encoded parameters; the additional data is ``mToken``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.errors import DecryptionError, WrongPasswordError
from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.freeotp import token_account
from otpkeep.otp.importers.javaser import MAGIC, read_string_map
from otpkeep.otp.importers.source import Password, Source, parse_json
from otpkeep.otp.importers.spec import FormatSpec

if TYPE_CHECKING:
    from collections.abc import Mapping

    from otpkeep.otp.account import Account
    from otpkeep.otp.importers.report import ImportEntry

MASTER_KEY = "masterKey"
TOKEN_SUFFIX = "-token"  # noqa: S105 - a key suffix, not a password
KDFS: dict[str, hazmat_legacy.HashName] = {
    "PBKDF2withHmacSHA1": "sha1",
    "PBKDF2withHmacSHA512": "sha512",
}
GCM = "AES/GCM/NoPadding"
DER_OCTET_STRING = 0x04
DER_SEQUENCE = 0x30


def _der(data: bytes, pos: int) -> tuple[int, bytes, int]:
    """One DER element at ``pos``: its tag, its content and the position after it."""
    if pos + 2 > len(data):
        raise f.EntryError("the cipher parameters are truncated")
    tag, length, pos = data[pos], data[pos + 1], pos + 2
    if length & 0x80:
        count = length & 0x7F
        if not 1 <= count <= 2 or pos + count > len(data):
            raise f.EntryError("the cipher parameters are malformed")
        length, pos = int.from_bytes(data[pos : pos + count], "big"), pos + count
    if pos + length > len(data):
        raise f.EntryError("the cipher parameters are truncated")
    return tag, data[pos : pos + length], pos + length


def gcm_nonce(parameters: bytes) -> bytes:
    """The GCM nonce: a bare DER OCTET STRING, or the first one in a SEQUENCE."""
    tag, content, _ = _der(parameters, 0)
    if tag == DER_OCTET_STRING:
        return content
    if tag == DER_SEQUENCE:
        pos = 0
        while pos < len(content):
            inner, value, pos = _der(content, pos)
            if inner == DER_OCTET_STRING:
                return value
    raise f.EntryError("the cipher parameters hold no nonce")


def _open(key: bytes, sealed_key: Mapping[str, object]) -> bytes:
    if f.text(sealed_key, "mCipher") != GCM:
        raise f.EntryError("the token uses an unsupported cipher")
    return hazmat_legacy.aes_gcm_decrypt(
        key,
        gcm_nonce(f.signed_bytes(sealed_key.get("mParameters"))),
        f.signed_bytes(sealed_key.get("mCipherText")),
        f.text(sealed_key, "mToken").encode("utf-8"),
    )


def _master_key(value: str, password: Password) -> bytes:
    obj = f.mapping(parse_json(value), "the master key")
    kdf = KDFS.get(f.text(obj, "mAlgorithm"))
    if kdf is None:
        raise f.EntryError("its master key uses an unsupported key derivation")
    key = hazmat_legacy.pbkdf2(
        kdf, password.encoded(), f.signed_bytes(obj.get("mSalt")), f.integer(obj, "mIterations")
    )
    try:
        return _open(key, f.mapping(obj.get("mEncryptedKey"), "the wrapped master key"))
    except DecryptionError:
        raise WrongPasswordError("The password does not open this FreeOTP backup.") from None


def _detect(source: Source) -> bool:
    return source.has_magic(MAGIC)


def _token(master: bytes, sealed: str, meta: str | None) -> ImportEntry:
    token = parse_json(meta) if meta is not None else None
    label = (
        f.label_of(token.get("issuerExt"), token.get("label")) if isinstance(token, dict) else ""
    )

    def build() -> Account:
        info = f.mapping(token, "the token's details")
        key = f.mapping(parse_json(f.text(f.mapping(parse_json(sealed)), "key")), "the token key")
        try:
            secret = _open(master, key)
        except DecryptionError:
            raise f.EntryError("the token's secret does not decrypt") from None
        return token_account(info, secret)

    return f.entry(label, build)


def _read(source: Source, password: Password) -> list[ImportEntry]:
    entries = read_string_map(source.data)
    with f.file_error("FreeOTP"):
        master = _master_key(f.text(entries, MASTER_KEY), password)
    return [
        _token(master, value, entries.get(key + TOKEN_SUFFIX))
        for key, value in entries.items()
        if key != MASTER_KEY and not key.endswith(TOKEN_SUFFIX)
    ]


FORMAT = FormatSpec("freeotp-backup", _detect, _read, (".xml",))
