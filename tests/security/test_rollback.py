"""An operator or a broken service serving an older backup, or one version as another.

Before: a backup's associated data named only the account, so the service could serve an
old version as the newest and the device would take it. Now the version is sealed into
the backup, and a device refuses a version older than the newest it has seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from otpkeep.crypto import escrow
from otpkeep.device.backup.payload import encode_payload
from otpkeep.device.backup.state import BackupState
from otpkeep.device.backup.sync import open_remote
from otpkeep.errors import BackupError, DecryptionError

if TYPE_CHECKING:
    from conftest import Target
    from escrowkit import Device

EMAIL = "owner@example.com"


@pytest.fixture
def three_versions(target: Target) -> tuple[Device, BackupState]:
    """The owner uploaded versions 1, 2 and 3 of their backup."""
    owner = target.owner(EMAIL)
    for version in (2, 3):
        sealed = owner.seal(encode_payload([]), version)
        assert owner.upload(sealed, if_match=version - 1).status_code == 200
    state = BackupState(
        enabled=True,
        data_key=owner.data_key,
        account_id=str(owner.account_id),
        last_version=3,
    )
    return owner, state


def test_a_version_relabelled_as_the_newest_does_not_open(
    target: Target, three_versions: tuple[Device, BackupState]
) -> None:
    """The service swaps version 2's ciphertext into version 3: the device cannot open it."""
    owner, _state = three_versions
    engine = target.harness.app.state.runtime.engine
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE backups SET data = (SELECT data FROM backups b WHERE b.account_id = "
            "backups.account_id AND b.version = 2) WHERE version = 3"
        )
    answer = owner.client.get("/v1/backup", headers=owner.headers)
    assert answer.headers["ETag"] == '"3"'
    assert owner.data_key is not None
    with pytest.raises(DecryptionError):
        escrow.open_backup(owner.data_key, answer.content, account_id=owner.account_id, version=3)


def test_an_older_version_served_as_the_newest_is_refused(
    target: Target, three_versions: tuple[Device, BackupState]
) -> None:
    """The service drops version 3 and serves version 2 as the newest: the device, which saw
    version 3, refuses it in one sentence rather than merge it."""
    owner, state = three_versions
    engine = target.harness.app.state.runtime.engine
    with engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM backups WHERE version = 3")
    answer = owner.client.get("/v1/backup", headers=owner.headers)
    version = int(answer.headers["ETag"].strip('"'))
    assert version == 2
    with pytest.raises(BackupError, match="older than version 3"):
        open_remote(state, answer.content, version)
    restored = open_remote(state, answer.content, version, latest=False)
    assert restored == []  # an explicit restore of an older version is still possible


def test_a_backup_of_another_account_does_not_open(
    target: Target, three_versions: tuple[Device, BackupState]
) -> None:
    """Ciphertext moved from another account's backup does not open under this account."""
    owner, _state = three_versions
    other = target.owner("other@example.com")
    theirs = other.client.get("/v1/backup", headers=other.headers).content
    assert owner.data_key is not None
    with pytest.raises(DecryptionError):
        escrow.open_backup(owner.data_key, theirs, account_id=owner.account_id, version=1)
