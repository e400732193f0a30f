"""A newest backup version that cannot be opened: said once, by number, and healed.

A faulty app (it holds the keys, so the service takes its upload) stores a version
that does not decrypt, or decrypts to something that is not a backup. Nothing may
stay wedged: the next device heals it by itself when it holds everything the newest
good version held, else says so once and heals it when asked; an older good version
can be restored meanwhile.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from faultyapp import faulty_upload
from flowscript import Script
from otpkeep.device.actions import Action
from otpkeep.device.backup.gate import cached_config
from otpkeep.device.backup.pending import needs_sync
from otpkeep.device.flows import settings
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.notifications import Kind, collect
from otpkeep.errors import DamagedBackupError

if TYPE_CHECKING:
    from collections.abc import Callable

    from device_harness import Device

    from service_harness import ServiceHarness

EMAIL = "owner@example.com"
PASSCODE = "482915"


@pytest.fixture
def pair(device_factory: Callable[..., Device], service: ServiceHarness) -> tuple[Device, Device]:
    """Two devices on one backup; the second is the one whose app is faulty."""
    first = device_factory("first")
    first.add("Heroku", "me", b"heroku-secret")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    first.run(enable_backup(first.session, EMAIL), script)
    second = device_factory("second")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE])
    second.run(transfer(second.session, EMAIL), script)
    return first, second


@pytest.mark.parametrize("plaintext", [None, b'{"format": "otpkeep-backup", "version": 1}'])
def test_a_device_holding_everything_heals_the_backup_by_itself(
    pair: tuple[Device, Device], plaintext: bytes | None
) -> None:
    """The first device holds every account of the newest good version: its next upload
    replaces the damaged one, and both devices go on."""
    first, second = pair
    damaged = faulty_upload(second.session, plaintext)
    first.add("Quip", "me", b"quip-secret")
    result = first.session.sync()
    assert result.healed == damaged
    assert result.version == damaged + 1
    assert first.session.backup().damaged is None
    second.add("Slack", "me", b"slack-secret")
    second.session.sync()
    first.session.sync()
    assert first.labels() == second.labels() == {"Heroku: me", "Quip: me", "Slack: me"}


def test_a_device_missing_accounts_says_so_once_and_heals_when_asked(
    pair: tuple[Device, Device],
) -> None:
    """Healing could lose what the last good version holds: the device says which version,
    once; status, notifications and restore work meanwhile; heal merges, then uploads."""
    first, second = pair
    second.add("Quip", "me", b"quip-secret")
    good = second.session.sync().version
    damaged = faulty_upload(second.session)
    first.add("Slack", "me", b"slack-secret")

    with pytest.raises(DamagedBackupError, match=f"Version {damaged} of the backup") as info:
        first.session.sync()
    assert info.value.action is Action.HEAL_BACKUP
    assert f"Version {good} has accounts this device does not" in str(info.value)
    state = first.session.backup()
    assert state.damaged == damaged
    assert state.pending
    assert not needs_sync(first.vault.load())  # said once: later commands do not retry

    data = first.vault.load()
    found = collect(data, cached_config(data), now=first.now(), events=[])
    assert [(n.kind, n.title, n.action) for n in found] == [
        (Kind.BACKUP_DAMAGED, f"Backup version {damaged} cannot be opened", Action.HEAL_BACKUP)
    ]

    healed = first.session.sync(heal=True)
    assert healed.healed == damaged
    assert first.labels() == {"Heroku: me", "Quip: me", "Slack: me"}
    assert first.session.backup().damaged is None
    second.session.sync()
    assert second.labels() == first.labels()


def test_restoring_the_last_good_version_heals_the_backup(pair: tuple[Device, Device]) -> None:
    """Restoring the version before the damaged one brings its accounts back, after which
    nothing can be lost: the upload replaces the damaged version."""
    first, second = pair
    second.add("Quip", "me", b"quip-secret")
    good = second.session.sync().version
    damaged = faulty_upload(second.session)
    first.add("Slack", "me", b"slack-secret")
    with pytest.raises(DamagedBackupError):
        first.session.sync()
    restored = settings.restore(first.session, good)
    assert restored.restored == ("Quip: me",)
    assert restored.uploaded
    state = first.session.backup()
    assert state.damaged is None
    assert state.last_version == damaged + 1


def test_an_identical_backup_is_not_stored_again(pair: tuple[Device, Device]) -> None:
    """Backing up what the backup already holds stores no new version: history is kept."""
    first, _ = pair
    before = first.session.backup().last_version
    result = first.session.sync()
    assert not result.stored
    assert result.version == before
    with first.session.client(first.session.backup()) as client:
        assert max(v.version for v in client.backup_versions().versions) == before
