"""What a faulty app does to a backup: a version the service takes but nobody can open.

It holds the keys, so its upload is signed and stored; what it sealed is wrong
(``plaintext`` None: bytes that do not decrypt) or right around something that is not a
backup. Shared by the device's and the terminal app's tests of healing.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow

if TYPE_CHECKING:
    from otpkeep.device.session import Session


def faulty_upload(session: Session, plaintext: bytes | None = None) -> int:
    """Store the next version as a faulty app would; its number."""
    state = session.backup()
    account_id = uuid.UUID(state.account_id)
    data_key = state.data_key
    assert data_key is not None
    with session.client(state) as client:
        version = max(v.version for v in client.backup_versions().versions) + 1
        if plaintext is None:
            sealed = b"\x00" * 64
        else:
            sealed = escrow.seal_backup(data_key, plaintext, account_id=account_id, version=version)
        signature = escrow.sign_upload(
            data_key, account_id=account_id, version=version, body=sealed
        )
        return client.put_backup(sealed, if_match=version - 1, signature=signature).version
