"""Enabling backup and transferring it, against the real service in-process."""

from __future__ import annotations

import pytest
from device_harness import Script, deep_link

from otpkeep.device.flows.context import EventKind
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.flows.verify import confirm_pending, parse_link
from otpkeep.errors import BackupError

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device, service):
    """Enable backup on ``device`` with the code from the mail."""
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    return enable_backup(device.flows(script), EMAIL), script


def transfer_script(service, *passcodes: str) -> Script:
    return Script(code=[lambda: service.code(EMAIL)], passcode=list(passcodes))


def test_gate_refuses_without_an_ecosystem_account_and_sends_no_mail(device_factory, service):
    """No ecosystem account: the refusal names the ecosystem and no email is sent."""
    device = device_factory("phone")
    device.add("GitHub", "me", b"gh-secret")
    with pytest.raises(BackupError, match="Heroku") as info:
        enable_backup(device.flows(Script()), EMAIL)
    assert "Tableau" in str(info.value)
    assert service.mails(EMAIL) == []


def test_the_ecosystem_comes_from_the_service_and_is_cached_for_offline_use(
    device_factory, service_factory
):
    """An operator's own ecosystem opens the gate, and the cached copy serves offline."""
    service = service_factory(ecosystem=[{"name": "Acme", "domains": ["acme.test"]}])
    device = device_factory("phone", service)
    device.add("Heroku", "me", b"heroku-secret")
    with pytest.raises(BackupError, match="Acme"):
        enable_backup(device.flows(Script()), EMAIL)
    device.online = False
    with pytest.raises(BackupError, match="Acme"):
        enable_backup(device.flows(Script()), EMAIL)
    device.online = True
    device.add("Acme Corp", "me@acme.test", b"acme-secret")
    result, _ = enable(device, service)
    assert "Acme Corp: me@acme.test" in result.labels


def test_enable_backs_up_every_account(device_factory, service):
    """Enable verifies the email, sets the passcode and uploads every account."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    device.add("GitHub", "me", b"gh-secret")
    result, script = enable(device, service)
    assert set(result.labels) == {"Heroku: me", "GitHub: me"}
    assert script.asked == ["code", "passcode", "again"]
    state = device.flows(Script()).state()
    assert state.enabled
    assert not state.pending
    assert state.last_version == result.version


def test_interrupted_enable_resumes_at_the_code_prompt(device_factory, service):
    """After an interruption at the code prompt, the same flow resumes without a new email."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    with pytest.raises(EOFError):
        enable_backup(device.flows(Script()), EMAIL)
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    enable_backup(device.flows(script), None)
    assert script.events[0].kind is EventKind.RESUMED
    assert service.templates(EMAIL).count("verification_code") == 1
    assert device.flows(Script()).state().enabled


def test_verifying_by_the_emailed_link_lets_the_flow_go_on(device_factory, service):
    """The landing page's otpkeep:// link verifies; the next enable asks only the passcode."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    with pytest.raises(EOFError):
        enable_backup(device.flows(Script()), EMAIL)
    verification_id, code = parse_link(deep_link(service, EMAIL))
    purpose, _ = confirm_pending(device.flows(Script()), code, verification_id=verification_id)
    assert purpose == "enable"
    script = Script(passcode=[PASSCODE], again=[PASSCODE])
    result = enable_backup(device.flows(script), None)
    assert script.asked == ["passcode", "again"]
    assert result.labels == ("Heroku: me",)


def test_transfer_with_a_wrong_then_the_right_passcode(device_factory, service_factory):
    """A wrong passcode shows the tries left and waits; the right one brings every account."""
    service = service_factory(passcode_retry_delays="3")
    old = device_factory("old", service)
    old.add("Heroku", "me", b"heroku-secret")
    old.add("Quip", "me", b"quip-secret")
    enable(old, service)
    new = device_factory("new", service)
    new.add("GitHub", "me", b"gh-secret")
    script = transfer_script(service, "111999", PASSCODE)
    result = transfer(new.flows(script), EMAIL)
    wrong = [e.tries_left for e in script.events if e.kind is EventKind.WRONG_PASSCODE]
    waits = [e.seconds_left for e in script.events if e.kind is EventKind.WAIT]
    assert wrong == [9]
    assert waits == [3, 2, 1]
    assert set(result.arrived) == {"Heroku: me", "Quip: me"}
    assert new.labels() == {"Heroku: me", "Quip: me", "GitHub: me"}
    state = new.flows(Script()).state()
    assert state.enabled
    assert not state.pending
    assert state.key_version > old.flows(Script()).state().key_version  # a fresh key version
    assert "transfer_completed" in service.templates(EMAIL)


def test_a_transfer_to_an_empty_device_uploads_no_copy_of_the_backup(device_factory, service):
    """Nothing new on the device, so the backup keeps its version: no duplicate is stored."""
    old = device_factory("old", service)
    old.add("Heroku", "me", b"heroku-secret")
    enable(old, service)
    kept = old.flows(Script()).state().last_version
    new = device_factory("new", service)
    result = transfer(new.flows(transfer_script(service, PASSCODE)), EMAIL)
    assert result.arrived == ("Heroku: me",)
    state = new.flows(Script()).state()
    assert not state.pending
    assert state.last_version == kept


def test_ten_wrong_passcodes_destroy_the_backup_and_tell_the_owner(device_factory, service):
    """The tenth wrong passcode destroys the backup; the owner is emailed; it is then gone."""
    old = device_factory("old")
    old.add("Heroku", "me", b"heroku-secret")
    enable(old, service)
    thief = device_factory("thief")
    script = transfer_script(service, *["900000"] * 10)
    with pytest.raises(BackupError, match="destroyed"):
        transfer(thief.flows(script), EMAIL)
    tries = [e.tries_left for e in script.events if e.kind is EventKind.WRONG_PASSCODE]
    assert tries == list(range(9, 0, -1))
    templates = service.templates(EMAIL)
    assert templates.count("passcode_failed") >= 9
    assert "backup_destroyed" in templates
    again = device_factory("again")
    with pytest.raises(BackupError, match="no backup"):
        transfer(again.flows(transfer_script(service, PASSCODE)), EMAIL)
