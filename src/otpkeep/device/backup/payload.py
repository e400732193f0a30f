"""The backup's plaintext: every account with its id, last change and tombstone, as JSON.

``{"format": "otpkeep-backup", "version": 1, "accounts": [{"id", "updated_at",
"deleted", "issuer", "name", "secret" (base32), "type", "algorithm", "digits",
"period", "counter"}]}`` — a tombstone carries only the first three. The JSON is
sealed with :func:`otpkeep.crypto.escrow.seal_backup` under the data key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from otpkeep.device.vault.data import StoredAccount, account_from_json, account_to_json
from otpkeep.errors import BackupError, InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Iterable

FORMAT = "otpkeep-backup"
VERSION = 1

_DAMAGED = "The backup holds data this app cannot read: it may come from a newer version."


def encode_payload(accounts: Iterable[StoredAccount]) -> bytes:
    """The backup plaintext for these accounts (tombstones included), in a stable order."""
    items: list[dict[str, Any]] = []
    for stored in sorted(accounts, key=lambda s: s.id):
        item: dict[str, Any] = {
            "id": stored.id,
            "updated_at": stored.updated_at,
            "deleted": stored.deleted or stored.account is None,
        }
        if stored.account is not None and not stored.deleted:
            item.update(account_to_json(stored.account))
        items.append(item)
    document = {"format": FORMAT, "version": VERSION, "accounts": items}
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _entry(item: object) -> StoredAccount:
    if not isinstance(item, dict):
        raise TypeError("an account must be an object")
    id_ = item["id"]
    updated_at = item["updated_at"]
    if not isinstance(id_, str) or not id_ or not isinstance(updated_at, int):
        raise TypeError("id and updated_at are required")
    if item.get("deleted"):
        return StoredAccount(id=id_, account=None, updated_at=updated_at, deleted=True)
    return StoredAccount(id=id_, account=account_from_json(item), updated_at=updated_at)


def decode_payload(plaintext: bytes) -> list[StoredAccount]:
    """The accounts of a backup plaintext; anything malformed raises :class:`BackupError`."""
    try:
        document = json.loads(plaintext)
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(_DAMAGED)
        if document.get("version") != VERSION:
            raise BackupError(_DAMAGED)
        return [_entry(item) for item in document["accounts"]]
    except (KeyError, TypeError, ValueError, InvalidInputError) as exc:
        raise BackupError(_DAMAGED) from exc
