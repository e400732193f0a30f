"""Automatic backups, conflicts between devices, offline edits, settings and restore."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from flowscript import Script
from otpkeep.device.flows import settings
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.steps import Ask
from otpkeep.device.flows.transfer import transfer
from otpkeep.errors import BackupError, ServiceUnavailableError

if TYPE_CHECKING:
    from collections.abc import Callable

    from device_harness import Device

    from service_harness import ServiceHarness

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device: Device, service: ServiceHarness) -> None:
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    device.run(enable_backup(device.session, EMAIL), script)


def bring(
    device: Device, service: ServiceHarness, passcode: str = PASSCODE, email: str = EMAIL
) -> None:
    script = Script(code=[lambda: service.code(email)], passcode=[passcode])
    device.run(transfer(device.session, email), script)


def sync(device: Device) -> int:
    return device.session.sync().version


@pytest.fixture
def pair(device_factory: Callable[..., Device], service: ServiceHarness) -> tuple[Device, Device]:
    """Two devices sharing one backup: one enabled it, the other transferred it."""
    first = device_factory("first")
    first.add("Heroku", "me", b"heroku-secret")
    enable(first, service)
    second = device_factory("second")
    bring(second, service)
    return first, second


def test_two_devices_editing_at_once_converge_with_nothing_lost(
    pair: tuple[Device, Device],
) -> None:
    """Edits on both devices from the same version merge on 412; both end with every change."""
    first, second = pair
    sync(first)
    first.add("Quip", "first", b"quip-secret")
    second.add("Tableau", "second", b"tableau-secret")
    heroku = next(
        s.id for s in second.vault.load().live() if s.account and s.account.issuer == "Heroku"
    )
    second.remove(heroku)
    sync(first)
    sync(second)  # conflict: merged with the first device's upload, then stored
    sync(first)  # picks up the second device's changes the same way
    assert first.labels() == second.labels() == {"Quip: first", "Tableau: second"}
    assert not first.session.backup().pending


def test_offline_edits_stay_pending_and_go_up_later(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """An upload that cannot reach the service stays pending and succeeds on the next try."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    device.online = False
    device.add("Quip", "me", b"quip-secret")
    assert (device.home / "backup.pending").exists()
    with pytest.raises(ServiceUnavailableError, match="Cannot reach"):
        sync(device)
    state = device.session.backup()
    assert state.pending
    assert state.last_failure is not None
    device.online = True
    version = sync(device)
    assert not device.session.backup().pending
    assert not (device.home / "backup.pending").exists()
    restored = device_factory("later")
    bring(restored, service)
    assert restored.labels() == {"Heroku: me", "Quip: me"}
    assert version == device.session.backup().last_version


def test_after_a_change_of_email_and_passcode_a_transfer_needs_the_new_ones(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """The new address and the new passcode open the backup; the old passcode is refused."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    new_email = "new@example.com"
    code = Script(code=[lambda: service.code(new_email)])
    assert device.run(settings.change_email(device.session, new_email), code) == new_email
    new_passcode = Script(passcode=["739164"], again=["739164"])
    device.run(settings.change_passcode(device.session), new_passcode)
    assert new_passcode.asked == [Ask.NEW_PASSCODE, Ask.PASSCODE_AGAIN]
    assert "email_changed_old" in service.templates(EMAIL)

    stranger = device_factory("stranger")
    with pytest.raises(BackupError, match="no backup"):
        bring(stranger, service)
    other = device_factory("other")
    script = Script(code=[lambda: service.code(new_email)], passcode=[PASSCODE, "739164"])
    other.run(transfer(other.session, new_email), script)
    assert [e.tries_left for e in script.said if e.tries_left is not None] == [9]
    assert other.labels() == {"Heroku: me"}


def test_restoring_an_older_version_brings_back_a_deleted_account(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """A removed account returns from the version that still held it, and is backed up again."""
    device = device_factory("phone")
    kept = device.add("Heroku", "me", b"heroku-secret")
    lost = device.add("Quip", "me", b"quip-secret")
    enable(device, service)
    before = device.session.backup().last_version
    assert before is not None
    device.remove(lost)
    sync(device)
    assert device.labels() == {"Heroku: me"}
    versions = [v.version for v in settings.versions(device.session)]
    assert versions[0] > before
    assert before in versions
    result = settings.restore(device.session, before)
    assert result.restored == ("Quip: me",)
    assert device.labels() == {"Heroku: me", "Quip: me"}
    assert kept in device.vault.load().accounts
    assert not device.session.backup().pending


def test_disable_deletes_the_backup_after_confirmation(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """Without confirmation nothing happens; with it, the backup is gone and backup is off."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    assert not device.run(settings.disable(device.session), Script(confirm=["no"]))
    assert device.session.backup().enabled
    assert device.run(settings.disable(device.session), Script(confirm=["yes"]))
    assert not device.session.backup().enabled
    assert device.labels() == {"Heroku: me"}
    with pytest.raises(BackupError, match="no backup"):
        bring(device_factory("other"), service)


def test_a_removal_stays_removed_whatever_the_devices_clocks_say(
    pair: tuple[Device, Device],
) -> None:
    """One device an hour ahead, one an hour behind: removals made on either are never undone
    by the other's later-looking changes, in either direction."""
    first, second = pair
    first.clock_offset = 3600.0
    second.clock_offset = -3600.0
    quip = first.add("Quip", "me", b"quip-secret")
    tableau = first.add("Tableau", "me", b"tableau-secret")
    sync(first)
    sync(second)
    assert second.labels() == {"Heroku: me", "Quip: me", "Tableau: me"}

    second.remove(quip)  # stamped two hours before what the first device's clock says
    sync(second)
    first.add("Slack", "me", b"slack-secret")
    sync(first)
    assert "Quip: me" not in first.labels()

    first.remove(tableau)  # stamped two hours after what the second device's clock says
    sync(first)
    second.add("Zoom", "me", b"zoom-secret")
    sync(second)
    sync(first)
    expected = {"Heroku: me", "Slack: me", "Zoom: me"}
    assert first.labels() == second.labels() == expected
