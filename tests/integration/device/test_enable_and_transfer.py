"""Enabling backup and transferring it, against the real service in-process."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from device_harness import deep_link

from flowscript import NoAnswer, Script
from otpkeep.device.flows.enable import EnableResult, enable_backup
from otpkeep.device.flows.steps import Ask, Note
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.flows.verify import confirm_pending, parse_link
from otpkeep.errors import BackupError

if TYPE_CHECKING:
    from collections.abc import Callable

    from device_harness import Device

    from service_harness import ServiceFactory, ServiceHarness

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device: Device, service: ServiceHarness) -> tuple[EnableResult, Script]:
    """Enable backup on ``device`` with the code from the mail."""
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    return device.run(enable_backup(device.session, EMAIL), script), script


def transfer_script(service: ServiceHarness, *passcodes: str) -> Script:
    return Script(code=[lambda: service.code(EMAIL)], passcode=list(passcodes))


def test_gate_refuses_without_an_ecosystem_account_and_sends_no_mail(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """No ecosystem account: the refusal names the ecosystem and no email is sent."""
    device = device_factory("phone")
    device.add("GitHub", "me", b"gh-secret")
    with pytest.raises(BackupError, match="Heroku") as info:
        device.run(enable_backup(device.session, EMAIL))
    assert "Tableau" in str(info.value)
    assert service.mails(EMAIL) == []


def test_the_ecosystem_comes_from_the_service_and_is_cached_for_offline_use(
    device_factory: Callable[..., Device], service_factory: ServiceFactory
) -> None:
    """An operator's own ecosystem opens the gate, and the cached copy serves offline."""
    service = service_factory(ecosystem=[{"name": "Acme", "domains": ["acme.test"]}])
    device = device_factory("phone", service)
    device.add("Heroku", "me", b"heroku-secret")
    with pytest.raises(BackupError, match="Acme"):
        device.run(enable_backup(device.session, EMAIL))
    device.online = False
    with pytest.raises(BackupError, match="Acme"):
        device.run(enable_backup(device.session, EMAIL))
    device.online = True
    device.add("Acme Corp", "me@acme.test", b"acme-secret")
    result, _ = enable(device, service)
    assert "Acme Corp: me@acme.test" in result.labels


def test_enable_backs_up_every_account(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """Enable verifies the email, sets the passcode and uploads every account."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    device.add("GitHub", "me", b"gh-secret")
    result, script = enable(device, service)
    assert set(result.labels) == {"Heroku: me", "GitHub: me"}
    assert script.asked == [Ask.CODE, Ask.PASSCODE, Ask.PASSCODE_AGAIN]
    state = device.session.backup()
    assert state.enabled
    assert not state.pending
    assert state.last_version == result.version


def test_interrupted_enable_resumes_at_the_code_prompt(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """After an interruption at the code prompt, the same flow resumes without a new email."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    with pytest.raises(NoAnswer):
        device.run(enable_backup(device.session, EMAIL))
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    device.run(enable_backup(device.session, None), script)
    assert script.said[0].note is Note.RESUMED
    assert service.templates(EMAIL).count("verification_code") == 1
    assert device.session.backup().enabled


def test_verifying_by_the_emailed_link_lets_the_flow_go_on(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """The landing page's otpkeep:// link verifies; the next enable asks only the passcode."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    with pytest.raises(NoAnswer):
        device.run(enable_backup(device.session, EMAIL))
    verification_id, code = parse_link(deep_link(service, EMAIL))
    purpose, _ = confirm_pending(device.session, code, verification_id=verification_id)
    assert purpose == "enable"
    script = Script(passcode=[PASSCODE], again=[PASSCODE])
    result = device.run(enable_backup(device.session, None), script)
    assert script.asked == [Ask.PASSCODE, Ask.PASSCODE_AGAIN]
    assert result.labels == ("Heroku: me",)


def test_transfer_with_a_wrong_then_the_right_passcode(
    device_factory: Callable[..., Device], service_factory: ServiceFactory
) -> None:
    """A wrong passcode shows the tries left and waits; the right one brings every account."""
    service = service_factory(passcode_retry_delays="3")
    old = device_factory("old", service)
    old.add("Heroku", "me", b"heroku-secret")
    old.add("Quip", "me", b"quip-secret")
    enable(old, service)
    new = device_factory("new", service)
    new.add("GitHub", "me", b"gh-secret")
    script = transfer_script(service, "111999", PASSCODE)
    result = new.run(transfer(new.session, EMAIL), script)
    wrong = [e.tries_left for e in script.said if e.note is Note.WRONG_PASSCODE]
    assert wrong == [9]
    assert script.waits == [3.0]
    assert set(result.arrived) == {"Heroku: me", "Quip: me"}
    assert new.labels() == {"Heroku: me", "Quip: me", "GitHub: me"}
    state = new.session.backup()
    assert state.enabled
    assert not state.pending
    assert state.key_version > old.session.backup().key_version  # a fresh key version
    assert "transfer_completed" in service.templates(EMAIL)


def test_a_transfer_to_an_empty_device_uploads_no_copy_of_the_backup(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """Nothing new on the device, so the backup keeps its version: no duplicate is stored."""
    old = device_factory("old", service)
    old.add("Heroku", "me", b"heroku-secret")
    enable(old, service)
    kept = old.session.backup().last_version
    new = device_factory("new", service)
    result = new.run(transfer(new.session, EMAIL), transfer_script(service, PASSCODE))
    assert result.arrived == ("Heroku: me",)
    state = new.session.backup()
    assert not state.pending
    assert state.last_version == kept


def test_ten_wrong_passcodes_destroy_the_backup_and_tell_the_owner(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """The tenth wrong passcode destroys the backup; the owner is emailed; it is then gone."""
    old = device_factory("old")
    old.add("Heroku", "me", b"heroku-secret")
    enable(old, service)
    thief = device_factory("thief")
    script = transfer_script(service, *["900000"] * 10)
    with pytest.raises(BackupError, match="destroyed"):
        thief.run(transfer(thief.session, EMAIL), script)
    tries = [e.tries_left for e in script.said if e.note is Note.WRONG_PASSCODE]
    assert tries == list(range(9, 0, -1))
    templates = service.templates(EMAIL)
    assert templates.count("passcode_failed") >= 9
    assert "backup_destroyed" in templates
    again = device_factory("again")
    with pytest.raises(BackupError, match="no backup"):
        again.run(transfer(again.session, EMAIL), transfer_script(service, PASSCODE))
