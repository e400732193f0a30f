"""Automatic backups, conflicts between devices, offline edits, settings and restore."""

from __future__ import annotations

import pytest
from device_harness import Script

from otpkeep.device.backup.sync import upload
from otpkeep.device.flows import settings
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.errors import BackupError, ServiceUnavailableError

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device, service) -> None:
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    enable_backup(device.flows(script), EMAIL)


def bring(device, service, passcode: str = PASSCODE, email: str = EMAIL) -> None:
    transfer(device.flows(Script(code=[lambda: service.code(email)], passcode=[passcode])), email)


def sync(device) -> int:
    flows = device.flows(Script())
    with flows.client(flows.state()) as client:
        return upload(device.vault, client, clock=flows.clock).version


@pytest.fixture
def pair(device_factory, service):
    """Two devices sharing one backup: one enabled it, the other transferred it."""
    first = device_factory("first")
    first.add("Heroku", "me", b"heroku-secret")
    enable(first, service)
    second = device_factory("second")
    bring(second, service)
    return first, second


def test_two_devices_editing_at_once_converge_with_nothing_lost(pair):
    """Edits on both devices from the same version merge on 412; both end with every change."""
    first, second = pair
    sync(first)
    first.add("Quip", "first", b"quip-secret")
    second.add("Tableau", "second", b"tableau-secret")
    heroku = next(s.id for s in second.vault.load().live() if s.account.issuer == "Heroku")
    second.remove(heroku)
    sync(first)
    sync(second)  # conflict: merged with the first device's upload, then stored
    sync(first)  # picks up the second device's changes the same way
    assert first.labels() == second.labels() == {"Quip: first", "Tableau: second"}
    assert not first.flows(Script()).state().pending


def test_offline_edits_stay_pending_and_go_up_later(device_factory, service):
    """An upload that cannot reach the service stays pending and succeeds on the next try."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    device.online = False
    device.add("Quip", "me", b"quip-secret")
    assert (device.home / "backup.pending").exists()
    with pytest.raises(ServiceUnavailableError, match="Cannot reach"):
        sync(device)
    state = device.flows(Script()).state()
    assert state.pending
    assert state.last_failure is not None
    device.online = True
    version = sync(device)
    assert not device.flows(Script()).state().pending
    assert not (device.home / "backup.pending").exists()
    restored = device_factory("later")
    bring(restored, service)
    assert restored.labels() == {"Heroku: me", "Quip: me"}
    assert version == device.flows(Script()).state().last_version


def test_after_a_change_of_email_and_passcode_a_transfer_needs_the_new_ones(
    device_factory, service
):
    """The new address and the new passcode open the backup; the old passcode is refused."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    new_email = "new@example.com"
    flows = device.flows(Script(code=[lambda: service.code(new_email)]))
    assert settings.change_email(flows, new_email) == new_email
    settings.change_passcode(device.flows(Script(passcode=["739164"], again=["739164"])))
    assert "email_changed_old" in service.templates(EMAIL)

    stranger = device_factory("stranger")
    with pytest.raises(BackupError, match="no backup"):
        bring(stranger, service)
    other = device_factory("other")
    script = Script(code=[lambda: service.code(new_email)], passcode=[PASSCODE, "739164"])
    transfer(other.flows(script), new_email)
    assert [e.tries_left for e in script.events if e.tries_left is not None] == [9]
    assert other.labels() == {"Heroku: me"}


def test_restoring_an_older_version_brings_back_a_deleted_account(device_factory, service):
    """A removed account returns from the version that still held it, and is backed up again."""
    device = device_factory("phone")
    kept = device.add("Heroku", "me", b"heroku-secret")
    lost = device.add("Quip", "me", b"quip-secret")
    enable(device, service)
    before = device.flows(Script()).state().last_version
    device.remove(lost)
    sync(device)
    assert device.labels() == {"Heroku: me"}
    versions = [v.version for v in settings.versions(device.flows(Script()))]
    assert versions[0] > before
    assert before in versions
    result = settings.restore(device.flows(Script()), before)
    assert result.restored == ("Quip: me",)
    assert device.labels() == {"Heroku: me", "Quip: me"}
    assert kept in device.vault.load().accounts
    assert not device.flows(Script()).state().pending


def test_disable_deletes_the_backup_after_confirmation(device_factory, service):
    """Without confirmation nothing happens; with it, the backup is gone and backup is off."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    assert not settings.disable(device.flows(Script(confirm=["no"])))
    assert device.flows(Script()).state().enabled
    assert settings.disable(device.flows(Script(confirm=["yes"])))
    assert not device.flows(Script()).state().enabled
    assert device.labels() == {"Heroku: me"}
    with pytest.raises(BackupError, match="no backup"):
        bring(device_factory("other"), service)
