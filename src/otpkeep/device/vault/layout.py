"""The vault's files byte for byte: the one definition the store and the quick reader share.

The device folder holds the vault file and, for a vault whose key is not in the OS
keyring, the key file beside it::

    vault.otpkeep   otpkeep-vault\\n
                    {"format": 1, "keystore": "file", "vault_id": "<hex>"}\\n
                    <envelope sealed under the device key; associated data = the two lines above>
    vault.key       otpkeep-device-key-v1:<the 32-byte key in URL-safe base64>\\n

The header is plain so a run can tell which key store to open before decrypting; it is
authenticated as associated data, so changing it breaks the seal. The envelope
(:mod:`otpkeep.crypto.envelope`) holds the payload as compact JSON, ``{"schema": 1,
"accounts": [...], "state": {...}}``.

Only parsing and sealing are here, no file is opened and no error sentence is written:
:mod:`~otpkeep.device.vault.file` and :mod:`~otpkeep.device.vault.keystore` add those for
the store, and :mod:`~otpkeep.device.vault.quick` reads with nothing more, so that
``otpkeep code`` starts fast.
"""

from __future__ import annotations

import binascii

from otpkeep.crypto import envelope
from otpkeep.device.vault import quickjson

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

VAULT_FILE_NAME = "vault.otpkeep"
LOCK_FILE_NAME = "vault.lock"
KEY_FILE_NAME = "vault.key"
MAGIC = b"otpkeep-vault\n"
FORMAT = 1
"""The layout of the vault file (the header's ``format``)."""
SCHEMA = 1
"""The version of the sealed payload; raise it with a step in ``store.MIGRATIONS``."""
MAX_VAULT_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 4096
FILE = "file"
"""The header's ``keystore`` of a vault whose key is in :data:`KEY_FILE_NAME`."""
KEYRING = "keyring"
"""The header's ``keystore`` of a vault whose key is in the OS keyring."""
KEY_BYTES = envelope.KEY_BYTES
KEY_PREFIX = "otpkeep-device-key-v1:"
_URLSAFE = bytes.maketrans(b"-_", b"+/")


def encode_header(vault_id: str, keystore: str, format_: int = FORMAT) -> bytes:
    """The magic line and the header line: the associated data of the seal."""
    import json  # noqa: PLC0415 - writes only: the quick path reads, without json

    body = {"format": format_, "keystore": keystore, "vault_id": vault_id}
    return MAGIC + json.dumps(body, sort_keys=True).encode("ascii") + b"\n"


def split(raw: bytes) -> tuple[bytes, bytes, bytes] | None:
    """The header line, the associated data and the sealed body of a vault file's bytes.

    None when ``raw`` is not laid out as a vault (too large, foreign, truncated).
    """
    if len(raw) > MAX_VAULT_BYTES or not raw.startswith(MAGIC):
        return None
    end = raw.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER_BYTES)
    if end < 0:
        return None
    return raw[len(MAGIC) : end], raw[: end + 1], raw[end + 1 :]


def header_fields(line: bytes) -> tuple[str, str, int]:
    """The vault id, key store and format of a header line.

    Raises ValueError, TypeError or KeyError when the line is not a header.
    """
    fields: Any = quickjson.loads(line)
    return str(fields["vault_id"]), str(fields["keystore"]), int(fields["format"])


def encode_key(key: bytes) -> str:
    """The device key as one line of text (what the key file and the keyring hold)."""
    import base64  # noqa: PLC0415 - writes only: base64 imports re, which reading avoids

    return KEY_PREFIX + base64.urlsafe_b64encode(key).decode("ascii")


def parse_key(text: str) -> bytes | None:
    """The key in :func:`encode_key`'s text (surrounding whitespace allowed); None otherwise."""
    body = text.strip()
    if not body.startswith(KEY_PREFIX):
        return None
    try:
        # base64.urlsafe_b64decode, without importing base64 (and with it re)
        key = binascii.a2b_base64(body.removeprefix(KEY_PREFIX).encode("ascii").translate(_URLSAFE))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return key if len(key) == KEY_BYTES else None


def seal(key: bytes, associated: bytes, payload: dict[str, Any]) -> bytes:
    """The vault file's bytes: ``associated`` (the header) and ``payload`` sealed after it."""
    import json  # noqa: PLC0415 - writes only: the quick path reads, without json

    body = json.dumps({"schema": SCHEMA, **payload}, separators=(",", ":")).encode()
    return associated + envelope.seal(key, body, associated_data=associated)


def unseal(key: bytes, associated: bytes, sealed: bytes) -> Any:
    """The payload sealed after the header, as JSON (its ``schema`` not yet looked at).

    Raises :class:`~otpkeep.errors.DecryptionError` when the seal does not open, and
    ValueError when what it holds is not JSON.
    """
    return quickjson.loads(envelope.open_sealed(key, sealed, associated_data=associated))
