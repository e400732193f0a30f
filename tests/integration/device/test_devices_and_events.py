"""Devices, their revocation, security events and the destroyed backup, seen from a device."""

from __future__ import annotations

import time

import pytest
from device_harness import Script

from otpkeep.device.backup.gate import cached_config
from otpkeep.device.backup.sync import upload
from otpkeep.device.flows import settings
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.notifications import Kind, collect
from otpkeep.errors import APIError, BackupError

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device, service) -> None:
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    enable_backup(device.flows(script), EMAIL)


def notifications(device) -> list:
    flows = device.flows(Script())
    data = device.vault.load()
    with flows.client(flows.state()) as client:
        events = client.events().events
    return collect(data, cached_config(data), now=time.time(), events=events)


def test_a_device_revoked_by_another_can_no_longer_upload(device_factory, service):
    """The second device lists both devices and revokes the first, whose next upload fails."""
    first = device_factory("first")
    first.add("Heroku", "me", b"heroku-secret")
    enable(first, service)
    second = device_factory("second")
    transfer(second.flows(Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE])), EMAIL)
    listed = settings.devices(second.flows(Script()))
    assert len(listed) >= 2
    assert sum(device.current for device in listed) == 1
    other = next(device for device in listed if not device.current)
    settings.revoke_device(second.flows(Script()), str(other.id))
    first.add("Quip", "me", b"quip-secret")
    flows = first.flows(Script())
    with pytest.raises(APIError, match="session"), flows.client(flows.state()) as client:
        upload(first.vault, client, clock=flows.clock)
    assert first.flows(Script()).state().pending


def test_the_owner_sees_the_transfer_and_the_failed_tries(device_factory, service):
    """After a wrong then right passcode elsewhere, the owner's notifications show both."""
    owner = device_factory("owner")
    owner.add("Heroku", "me", b"heroku-secret")
    enable(owner, service)
    other = device_factory("other")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=["111999", PASSCODE])
    transfer(other.flows(script), EMAIL)
    found = notifications(owner)
    titles = " ".join(note.title for note in found if note.kind is Kind.SECURITY)
    assert "Backup transferred to a new device" in titles
    assert "Wrong passcode entered" in titles


def test_a_destroyed_backup_is_one_clear_sentence_on_the_owners_device(device_factory, service):
    """After ten wrong passcodes elsewhere, the owner's next upload says the backup is gone."""
    owner = device_factory("owner")
    owner.add("Heroku", "me", b"heroku-secret")
    enable(owner, service)
    thief = device_factory("thief")
    script = Script(code=[lambda: service.code(EMAIL)], passcode=["900000"] * 10)
    with pytest.raises(BackupError, match="destroyed"):
        transfer(thief.flows(script), EMAIL)
    owner.add("Quip", "me", b"quip-secret")
    flows = owner.flows(Script())
    with pytest.raises(BackupError, match="gone") as info, flows.client(flows.state()) as client:
        upload(owner.vault, client, clock=flows.clock)
    assert "otpkeep backup enable" in str(info.value)
    data = owner.vault.load()
    found = collect(data, cached_config(data), now=time.time(), events=None)
    assert any(note.kind is Kind.BACKUP_FAILED and "gone" in note.message for note in found)
