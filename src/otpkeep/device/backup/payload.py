"""The backup's plaintext: every account with its id, last change and tombstone, as JSON.

``{"format": "otpkeep-backup", "version": 1, "accounts": [{"id", "rev", "updated_at",
"deleted", "issuer", "name", "secret" (base32), "type", "algorithm", "digits",
"period", "counter"}]}`` — a tombstone carries only the first four. ``rev`` orders an
account's changes (see :class:`~otpkeep.device.vault.data.StoredAccount`); a backup
written before it existed reads as ``rev`` 1. The JSON is
deflated (:func:`compress`) and sealed with :func:`otpkeep.crypto.escrow.seal_backup` under
the data key; :func:`decode_payload` also reads the plain JSON of backups made before.
"""

from __future__ import annotations

import json
import zlib
from typing import TYPE_CHECKING, Any

from otpkeep.device.vault.data import StoredAccount, account_from_json
from otpkeep.errors import BackupError, DamagedBackupError, InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMAT = "otpkeep-backup"
VERSION = 1
MAX_PLAINTEXT = 64 * 1024 * 1024
"""The most a backup may inflate to: far beyond any real one, short of a decompression bomb."""

_DAMAGED = "The backup holds data this app cannot read."
_NEWER = (
    "The backup was written by a newer version of otpkeep: update this app to read it "
    "(nothing was changed)."
)


def encode_payload(accounts: Iterable[StoredAccount]) -> bytes:
    """The backup plaintext for these accounts (tombstones included), in a stable order."""
    items: list[dict[str, Any]] = []
    for stored in sorted(accounts, key=lambda s: s.id):
        item: dict[str, Any] = {
            "id": stored.id,
            "rev": stored.rev,
            "updated_at": stored.updated_at,
            "deleted": stored.deleted,
        }
        fields = None if stored.deleted else stored.fields()
        if fields is not None:
            item.update(fields)
        items.append(item)
    document = {"format": FORMAT, "version": VERSION, "accounts": items}
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def compress(plaintext: bytes) -> bytes:
    """The payload as it is sealed: deflated (a backup of 10,000 accounts is ~0.5 MiB)."""
    return zlib.compress(plaintext, 6)


def _inflate(sealed_plaintext: bytes) -> bytes:
    """The payload of a sealed backup: deflated, or (backups made before) plain JSON."""
    if sealed_plaintext[:1] == b"{":
        return sealed_plaintext
    inflater = zlib.decompressobj()
    try:
        plain = inflater.decompress(sealed_plaintext, MAX_PLAINTEXT)
    except zlib.error as exc:
        raise DamagedBackupError(_DAMAGED) from exc
    if inflater.unconsumed_tail or not inflater.eof:
        raise DamagedBackupError(_DAMAGED)
    return plain


def _entry(item: object) -> StoredAccount:
    if not isinstance(item, dict):
        raise TypeError("an account must be an object")
    id_ = item["id"]
    updated_at = item["updated_at"]
    rev = item.get("rev", 1)
    if not isinstance(id_, str) or not id_ or not isinstance(updated_at, int):
        raise TypeError("id and updated_at are required")
    if isinstance(rev, bool) or not isinstance(rev, int) or rev < 0:
        raise TypeError("rev must be a whole number")
    if item.get("deleted"):
        return StoredAccount(id=id_, account=None, updated_at=updated_at, deleted=True, rev=rev)
    account = account_from_json(item)
    return StoredAccount(id=id_, account=account, updated_at=updated_at, rev=rev)


def decode_payload(plaintext: bytes) -> list[StoredAccount]:
    """The accounts of a backup plaintext.

    A format newer than this app's raises :class:`BackupError` (update the app: nothing
    is lost); anything malformed raises :class:`DamagedBackupError`.
    """
    try:
        document = json.loads(_inflate(plaintext))
    except ValueError as exc:
        raise DamagedBackupError(_DAMAGED) from exc
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise DamagedBackupError(_DAMAGED)
    version = document.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise BackupError(_NEWER)
    if version != VERSION:
        raise DamagedBackupError(_DAMAGED)
    try:
        return [_entry(item) for item in document["accounts"]]
    except (KeyError, TypeError, ValueError, InvalidInputError) as exc:
        raise DamagedBackupError(_DAMAGED) from exc
