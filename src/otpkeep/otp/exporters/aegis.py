"""Aegis vault exports: plain JSON, and encrypted exactly as Aegis reads it.

Encrypted: a random 256-bit master key seals the ``db`` with AES-256-GCM; one
password slot wraps the master key with AES-256-GCM under scrypt(N=2^15, r=8, p=1).
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import hazmat_legacy
from otpkeep.otp.account import Account, OtpType, encode_base32

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

VERSION = 1
DB_VERSION = 2
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
PASSWORD_SLOT = 1
TAG = 16


def _entry(account: Account, rng: Callable[[int], bytes]) -> dict[str, object]:
    info: dict[str, object] = {
        "secret": encode_base32(account.secret),
        "algo": account.algorithm.value,
        "digits": account.digits,
    }
    if account.type is OtpType.HOTP:
        info["counter"] = account.counter
    else:
        info["period"] = account.period
    return {
        "type": account.type.value,
        "uuid": str(uuid.UUID(bytes=rng(16), version=4)),
        "name": account.name,
        "issuer": account.issuer,
        "note": "",
        "favorite": False,
        "icon": None,
        "info": info,
    }


def _db(accounts: Sequence[Account], rng: Callable[[int], bytes]) -> dict[str, object]:
    return {"version": DB_VERSION, "entries": [_entry(a, rng) for a in accounts]}


def _dumps(doc: object) -> bytes:
    return json.dumps(doc, indent=4, ensure_ascii=False).encode("utf-8")


def plain(accounts: Sequence[Account], *, rng: Callable[[int], bytes] = os.urandom) -> bytes:
    """A plain Aegis export of ``accounts``."""
    header = {"slots": None, "params": None}
    return _dumps({"version": VERSION, "header": header, "db": _db(accounts, rng)})


def _seal(
    key: bytes, plaintext: bytes, rng: Callable[[int], bytes]
) -> tuple[bytes, dict[str, str]]:
    nonce = rng(12)
    sealed = hazmat_legacy.aes_gcm_encrypt(key, nonce, plaintext)
    return sealed[:-TAG], {"nonce": nonce.hex(), "tag": sealed[-TAG:].hex()}


def encrypted(
    accounts: Sequence[Account], password: str, *, rng: Callable[[int], bytes] = os.urandom
) -> bytes:
    """An Aegis export of ``accounts`` that Aegis opens with ``password``."""
    master = rng(32)
    salt = rng(32)
    slot_key = hazmat_legacy.scrypt(
        password.encode("utf-8"), salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P
    )
    wrapped, key_params = _seal(slot_key, master, rng)
    db, params = _seal(master, json.dumps(_db(accounts, rng)).encode("utf-8"), rng)
    slot = {
        "type": PASSWORD_SLOT,
        "uuid": str(uuid.UUID(bytes=rng(16), version=4)),
        "key": wrapped.hex(),
        "key_params": key_params,
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": salt.hex(),
        "repaired": True,
    }
    header = {"slots": [slot], "params": params}
    return _dumps(
        {"version": VERSION, "header": header, "db": base64.b64encode(db).decode("ascii")}
    )
