"""Devices, their revocation, security events and the destroyed backup, seen from a device."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest

from flowscript import Script
from otpkeep.device.actions import Action
from otpkeep.device.backup.gate import cached_config
from otpkeep.device.flows import settings
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.notifications import Kind, Notification, collect
from otpkeep.errors import BackupError, ServiceRefusal

if TYPE_CHECKING:
    from collections.abc import Callable

    from device_harness import Device

    from service_harness import ServiceHarness

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device: Device, service: ServiceHarness) -> None:
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    device.run(enable_backup(device.session, EMAIL), script)


def notifications(device: Device) -> list[Notification]:
    found, events = device.session.notifications(online=True)
    assert events is not None
    return found


def test_a_device_revoked_by_another_can_no_longer_upload(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """The second device lists both devices and revokes the first, whose next upload fails."""
    first = device_factory("first")
    first.add("Heroku", "me", b"heroku-secret")
    enable(first, service)
    second = device_factory("second")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE])
    second.run(transfer(second.session, EMAIL), script)
    listed = settings.devices(second.session)
    assert len(listed) >= 2
    assert sum(device.current for device in listed) == 1
    other = next(device for device in listed if not device.current)
    settings.revoke_device(second.session, str(other.id))
    first.add("Quip", "me", b"quip-secret")
    with pytest.raises(ServiceRefusal, match="removed from the backup") as refused:
        first.session.sync()
    assert refused.value.action is Action.RECONNECT
    state = first.session.backup()
    assert state.pending
    assert state.signed_out == "revoked"
    found = notifications_offline(first)
    assert any(note.kind is Kind.SIGNED_OUT and note.action is Action.RECONNECT for note in found)


def notifications_offline(device: Device) -> list[Notification]:
    data = device.vault.load()
    return collect(data, cached_config(data), now=time.time(), events=[])


def test_the_owner_sees_the_transfer_and_the_failed_tries(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """After a wrong then right passcode elsewhere, the owner's notifications show both."""
    owner = device_factory("owner")
    owner.add("Heroku", "me", b"heroku-secret")
    enable(owner, service)
    other = device_factory("other")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=["111999", PASSCODE])
    other.run(transfer(other.session, EMAIL), script)
    found = notifications(owner)
    titles = " ".join(note.title for note in found if note.kind is Kind.SECURITY)
    assert "Backup transferred to a new device" in titles
    assert "Wrong passcode entered" in titles


def test_a_destroyed_backup_is_one_clear_sentence_on_the_owners_device(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """After ten wrong passcodes elsewhere, the owner's next upload says the backup is gone."""
    owner = device_factory("owner")
    owner.add("Heroku", "me", b"heroku-secret")
    enable(owner, service)
    thief = device_factory("thief")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=["900000"] * 10)
    with pytest.raises(BackupError, match="destroyed"):
        thief.run(transfer(thief.session, EMAIL), script)
    owner.add("Quip", "me", b"quip-secret")
    with pytest.raises(BackupError, match="gone") as info:
        owner.session.sync()
    assert "Backup is off on this device" in str(info.value)
    assert info.value.action is Action.ENABLE_BACKUP
    state = owner.session.backup()
    assert not state.enabled
    assert not state.session_token
    assert owner.labels() == {"Heroku: me", "Quip: me"}
    found = notifications_offline(owner)
    assert [note.title for note in found] == ["Backup is off"]
    assert "destroyed" in found[0].detail
