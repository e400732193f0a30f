"""Small export files of other authenticators, made here, encrypted as each app encrypts them."""

import base64
import json
import sqlite3
import struct
from collections.abc import Sequence

from otpkeep.crypto import hazmat_legacy
from otpkeep.otp.account import Account, OtpType, encode_base32
from otpkeep.otp.importers.battlenet import MASK

SALT = bytes(range(32))
NONCE = bytes(range(100, 116))


def andotp_plain(accounts: Sequence[Account]) -> bytes:
    items = []
    for a in accounts:
        item: dict[str, object] = {
            "secret": encode_base32(a.secret),
            "issuer": a.issuer,
            "label": a.name,
            "digits": a.digits,
            "type": a.type.value.upper(),
            "algorithm": a.algorithm.value,
            "tags": [],
        }
        item["counter" if a.type is OtpType.HOTP else "period"] = (
            a.counter if a.type is OtpType.HOTP else a.period
        )
        items.append(item)
    return json.dumps(items).encode()


def andotp_encrypted(plain: bytes, password: str, iterations: int = 1000) -> bytes:
    salt, nonce = SALT[:12], NONCE[:12]
    key = hazmat_legacy.pbkdf2("sha1", password.encode(), salt, iterations)
    return (
        struct.pack(">I", iterations)
        + salt
        + nonce
        + hazmat_legacy.aes_gcm_encrypt(key, nonce, plain)
    )


def andotp_encrypted_old(plain: bytes, password: str) -> bytes:
    key = hazmat_legacy.sha256(password.encode())
    return NONCE[:12] + hazmat_legacy.aes_gcm_encrypt(key, NONCE[:12], plain)


def twofas_encrypted(services: list[dict[str, object]], password: str) -> bytes:
    salt, iv = SALT, NONCE[:12]
    key = hazmat_legacy.pbkdf2("sha256", password.encode(), salt, 10_000)
    sealed = hazmat_legacy.aes_gcm_encrypt(key, iv, json.dumps(services).encode())
    blob = ":".join(base64.b64encode(part).decode() for part in (sealed, salt, iv))
    doc = {"services": [], "schemaVersion": 4, "servicesEncrypted": blob, "groups": []}
    return json.dumps(doc).encode()


def stratum_legacy(plain: bytes, password: str) -> bytes:
    salt, iv = SALT[:20], NONCE
    key = hazmat_legacy.pbkdf2("sha1", password.encode(), salt, 64_000)
    return b"AuthenticatorPro" + salt + iv + hazmat_legacy.aes_cbc_encrypt(key, iv, plain)


def stratum_json(accounts: Sequence[Account]) -> bytes:
    types = {OtpType.HOTP: 1, OtpType.TOTP: 2, OtpType.STEAM: 4}
    algorithms = {"SHA1": 0, "SHA256": 1, "SHA512": 2}
    items = [
        {
            "Type": types[a.type],
            "Issuer": a.issuer,
            "Username": a.name,
            "Secret": encode_base32(a.secret),
            "Algorithm": algorithms[a.algorithm.value],
            "Digits": a.digits,
            "Period": a.period,
            "Counter": a.counter,
        }
        for a in accounts
    ]
    return json.dumps({"Authenticators": items, "Categories": []}).encode()


def totp_authenticator(accounts: Sequence[Account], password: str) -> bytes:
    listing = json.dumps(
        [
            json.dumps({"issuer": a.issuer, "name": a.name, "key": a.secret.hex(), "base": 16})
            for a in accounts
        ]
    )
    plain = json.dumps({listing: "1"}).encode()
    sealed = hazmat_legacy.aes_cbc_encrypt(
        hazmat_legacy.sha256(password.encode()), bytes(16), plain
    )
    return base64.b64encode(sealed)


def prefs(entries: dict[str, str]) -> bytes:
    body = "".join(f'    <string name="{_xml(k)}">{_xml(v)}</string>\n' for k, v in entries.items())
    return (
        f"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n{body}</map>\n".encode()
    )


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def authy_encrypted(account: Account, password: str) -> bytes:
    salt = "saltsaltsalt"
    key = hazmat_legacy.pbkdf2("sha1", password.encode(), salt.encode(), 1000)
    sealed = hazmat_legacy.aes_cbc_encrypt(key, bytes(16), encode_base32(account.secret).encode())
    token = {
        "accountType": "authenticator",
        "digits": account.digits,
        "encryptedSecret": base64.b64encode(sealed).decode(),
        "salt": salt,
        "originalIssuer": account.issuer,
        "name": f"{account.issuer}: {account.name}",
    }
    return prefs({"com.authy.storage.tokens.authenticator.key": json.dumps([token])})


def battle_net(serial: str, secret: bytes) -> bytes:
    def mask(text: str) -> str:
        return bytes(a ^ b for a, b in zip(text.encode(), MASK, strict=False)).hex()

    return prefs(
        {
            "com.blizzard.messenger.AUTHENTICATOR_DEVICE_SECRET": mask(secret.hex()),
            "com.blizzard.messenger.AUTHENTICATOR_SERIAL": mask(serial),
        }
    )


def freeotp_token(account: Account) -> dict[str, object]:
    return {
        "algo": account.algorithm.value,
        "counter": account.counter,
        "digits": account.digits,
        "issuerExt": account.issuer,
        "label": account.name,
        "period": account.period,
        "secret": [b - 256 if b > 127 else b for b in account.secret],
        "type": account.type.value.upper(),
    }


def _java_string(text: str) -> bytes:
    data = text.encode()
    return b"\x74" + struct.pack(">H", len(data)) + data


def java_hashmap(entries: dict[str, str]) -> bytes:
    """ObjectOutputStream's bytes for a HashMap<String, String>."""
    head = b"\xac\xed\x00\x05\x73\x72" + struct.pack(">H", 17) + b"java.util.HashMap"
    head += struct.pack(">q", 362498820763181265) + b"\x03" + struct.pack(">H", 2)
    head += (
        b"F" + struct.pack(">H", 10) + b"loadFactor" + b"I" + struct.pack(">H", 9) + b"threshold"
    )
    head += (
        b"\x78\x70"
        + struct.pack(">fi", 0.75, 12)
        + b"\x77\x08"
        + struct.pack(">ii", 16, len(entries))
    )
    body = b"".join(_java_string(k) + _java_string(v) for k, v in entries.items())
    return head + body + b"\x78"


def _signed(data: bytes) -> list[int]:
    return [b - 256 if b > 127 else b for b in data]


def _sealed_key(key: bytes, nonce: bytes, plain: bytes, token: str) -> dict[str, object]:
    params = b"\x30\x11\x04\x0c" + nonce + b"\x02\x01\x10"  # SEQUENCE { OCTET STRING, INTEGER }
    return {
        "mCipher": "AES/GCM/NoPadding",
        "mCipherText": _signed(hazmat_legacy.aes_gcm_encrypt(key, nonce, plain, token.encode())),
        "mParameters": _signed(params),
        "mToken": token,
    }


def freeotp_backup(accounts: Sequence[Account], password: str, iterations: int = 1000) -> bytes:
    master = bytes(range(32))
    salt = SALT
    pass_key = hazmat_legacy.pbkdf2("sha512", password.encode(), salt, iterations)
    master_key = {
        "mAlgorithm": "PBKDF2withHmacSHA512",
        "mEncryptedKey": _sealed_key(pass_key, NONCE[:12], master, "AES"),
        "mIterations": iterations,
        "mSalt": _signed(salt),
    }
    entries = {"masterKey": json.dumps(master_key)}
    for index, account in enumerate(accounts):
        token = freeotp_token(account)
        del token["secret"]
        key = _sealed_key(master, NONCE[index : index + 12], account.secret, "HmacSHA1")
        entries[f"uuid-{index}"] = json.dumps({"key": json.dumps(key)})
        entries[f"uuid-{index}-token"] = json.dumps(token)
    return java_hashmap(entries)


def google_authenticator_db(rows: list[tuple[str, str, int, int, str]]) -> bytes:
    """A legacy Google Authenticator database: (email, secret, counter, type, issuer) rows."""
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE accounts (_id INTEGER PRIMARY KEY, email TEXT NOT NULL, secret TEXT NOT NULL,"
        " counter INTEGER DEFAULT 0, type INTEGER, provider INTEGER DEFAULT 0, issuer TEXT)"
    )
    connection.executemany(
        "INSERT INTO accounts (email, secret, counter, type, issuer) VALUES (?, ?, ?, ?, ?)", rows
    )
    connection.commit()
    data = connection.serialize()
    connection.close()
    return data


def twofas_plain(services: list[dict[str, object]], schema: int = 4) -> bytes:
    """A plain 2FAS backup of these services (2FAS writes the secret as it was given)."""
    doc = {
        "services": services,
        "groups": [],
        "updatedAt": 1700000000000,
        "schemaVersion": schema,
        "appVersionCode": 5000009,
        "appVersionName": "5.1.0",
        "appOrigin": "android",
    }
    return json.dumps(doc).encode()


def twofas_service(name: str, secret: str, otp: dict[str, object]) -> dict[str, object]:
    """One 2FAS service: the name 2FAS shows, the secret and its ``otp`` block."""
    return {"name": name, "secret": secret, "updatedAt": 1700000000000, "otp": otp}


def ente_text(uris: list[str]) -> bytes:
    """Ente Auth's plain export: one URI a line with its ``codeDisplay`` JSON."""
    display = "&codeDisplay=%7B%22pinned%22%3Afalse%2C%22trashed%22%3Afalse%7D"
    return "".join(uri + display + "\n" for uri in uris).encode()


def bitwarden_json(items: list[tuple[str, str | None, str]]) -> bytes:
    """Bitwarden's unencrypted JSON: (item name, username, TOTP field) logins."""
    logins = [
        {
            "id": f"id-{n}",
            "type": 1,
            "name": name,
            "login": {"username": username, "password": None, "totp": totp, "uris": []},
        }
        for n, (name, username, totp) in enumerate(items)
    ]
    return json.dumps({"encrypted": False, "folders": [], "items": logins}).encode()


def bitwarden_csv(items: list[tuple[str, str | None, str]]) -> bytes:
    """Bitwarden's CSV export of the same logins."""
    header = "folder,favorite,type,name,notes,fields,reprompt,login_uri,login_username,"
    header += "login_password,login_totp\n"
    rows = "".join(
        f",,login,{name},,,0,,{username or ''},,{totp}\n" for name, username, totp in items
    )
    return (header + rows).encode()
