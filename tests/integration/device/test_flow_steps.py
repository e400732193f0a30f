"""The flows off the happy path, step by step, on the real service in-process.

Going back, a code confirmed elsewhere, the emailed links pasted at the code question,
a mail the server refused, too many wrong codes, and a device the service signed out
finding its way back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from device_harness import deep_link

from flowscript import NoAnswer, Script
from otpkeep.device.actions import Action
from otpkeep.device.flows import settings
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.steps import BACK, Ask, Note, Question
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.flows.verify import MAX_CODE_TRIES, confirm_pending, parse_link
from otpkeep.errors import BackupError, InvalidInputError, MailDeliveryError, ServiceRefusal
from otpkeep.server.mail.sender import OutboxSender

if TYPE_CHECKING:
    from collections.abc import Callable

    from device_harness import Device

    from service_harness import ServiceHarness

EMAIL = "owner@example.com"
PASSCODE = "482915"


def enable(device: Device, service: ServiceHarness) -> None:
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    device.run(enable_backup(device.session, EMAIL), script)


def test_back_at_the_code_asks_the_address_again_and_a_new_one_gets_a_new_code(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """A typo in the address: Back at the code, the right address, its own code."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    script = Script(
        email=["typo@example.com", EMAIL],
        code=[BACK, lambda: service.code(EMAIL)],
        passcode=[PASSCODE],
        again=[PASSCODE],
    )
    result = device.run(enable_backup(device.session), script)
    assert result.email == EMAIL
    assert script.asked[:4] == [Ask.EMAIL, Ask.CODE, Ask.EMAIL, Ask.CODE]
    assert service.templates("typo@example.com") == ["verification_code"]


def test_a_code_confirmed_elsewhere_answers_the_question(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """While the code question waits, the emailed link opened elsewhere confirms it: the
    question says it is answered, and the flow goes on without the code."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")

    def confirm_elsewhere() -> None:
        question = next(
            s for s in reversed(script.steps) if isinstance(s, Question) and s.ask is Ask.CODE
        )
        assert question.answered is not None
        assert not question.answered()
        verification_id, code = parse_link(deep_link(service, EMAIL))
        confirm_pending(device.session, code, verification_id=verification_id)
        assert question.answered()

    script = Script(code=[confirm_elsewhere], passcode=[PASSCODE], again=[PASSCODE])
    result = device.run(enable_backup(device.session, EMAIL), script)
    assert result.version == 1
    assert (
        "The address was verified elsewhere (the link in the email, or another terminal)."
        in script.messages
    )


@pytest.mark.parametrize("which", ["page", "app"])
def test_either_emailed_link_pasted_at_the_code_question_verifies(
    device_factory: Callable[..., Device], service: ServiceHarness, which: str
) -> None:
    """The mail's https link (to the page) or the page's otpkeep:// link, pasted where the
    code goes, verifies the address."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")

    def paste() -> str:
        return service.link(EMAIL) if which == "page" else deep_link(service, EMAIL)

    script = Script(code=[paste], passcode=[PASSCODE], again=[PASSCODE])
    assert device.run(enable_backup(device.session, EMAIL), script).version == 1


def test_a_pasted_link_that_is_not_an_otpkeep_link_is_asked_again(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """A link to anywhere else is refused with one sentence and the code asked again."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    script = Script(
        code=["https://example.com/login", lambda: service.code(EMAIL)],
        passcode=[PASSCODE],
        again=[PASSCODE],
    )
    device.run(enable_backup(device.session, EMAIL), script)
    retries = [s.message for s in script.said if s.note is Note.RETRY]
    assert retries == ["That is not a link from an otpkeep verification email."]


class RefusingMailer:
    def send(self, message: object) -> None:
        del message
        raise MailDeliveryError("550 no such user", permanent=True)


def test_a_mail_the_server_refused_is_said_and_the_address_asked_again(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """No code will arrive: the flow says so, never "a code was sent", and asks again."""
    runtime = service.app.state.runtime
    refusing = OutboxSender(
        runtime.engine,
        RefusingMailer(),
        key=runtime.keys.outbox,
        mail_from=service.settings.mail_from,
        clock=service.clock,
    )
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")

    def refuse_delivery(_seconds: float) -> None:
        refusing.drain()

    session = device.session
    session.sleep = refuse_delivery
    script = Script(email=["nobody@example.com"])
    with pytest.raises(NoAnswer):
        script.run(enable_backup(session))
    said = [s.message for s in script.said]
    assert said == [
        (
            "The mail server did not take the email to nobody@example.com: check the address "
            "(no code will arrive)."
        )
    ]
    assert script.asked == [Ask.EMAIL, Ask.EMAIL]
    assert session.backup().verification is None


def test_too_many_wrong_codes_forget_the_code_and_resend_gets_a_new_one(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """After five wrong codes the next run does not resume the dead code; ``resend`` mails
    a new one, which works."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    wrong = Script(code=["000000"] * MAX_CODE_TRIES)
    with pytest.raises(BackupError, match="Too many wrong codes") as info:
        device.run(enable_backup(device.session, EMAIL), wrong)
    assert info.value.action is Action.RESEND_CODE
    assert device.session.backup().verification is None
    script = Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE])
    device.run(enable_backup(device.session, EMAIL, resend=True), script)
    assert service.templates(EMAIL).count("verification_code") == 2
    assert script.said[0].note is Note.CODE_SENT


def test_back_at_the_passcode_of_a_transfer_asks_the_address_again(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """The transfer's passcode question goes back to the address (a wrong backup)."""
    old = device_factory("old")
    old.add("Heroku", "me", b"heroku-secret")
    enable(old, service)
    new = device_factory("new")
    script = Script(
        email=[EMAIL, EMAIL],
        code=[lambda: service.code(EMAIL), lambda: service.code(EMAIL)],
        passcode=[BACK, PASSCODE],
    )
    result = new.run(transfer(new.session), script)
    assert result.arrived == ("Heroku: me",)
    assert script.asked == [Ask.EMAIL, Ask.CODE, Ask.PASSCODE, Ask.EMAIL, Ask.CODE, Ask.PASSCODE]


def test_a_revoked_device_signs_in_again_with_its_key_and_no_passcode(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """Revoked by another device, the first device is told why, keeps its accounts, and
    signs in again by verifying the address: no passcode is asked, its changes go up."""
    first = device_factory("first")
    first.add("Heroku", "me", b"heroku-secret")
    enable(first, service)
    second = device_factory("second")
    second.run(
        transfer(second.session, EMAIL),
        Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE]),
    )
    listed = settings.devices(second.session)
    settings.revoke_device(second.session, str(next(d.id for d in listed if not d.current)))
    first.add("Quip", "me", b"quip-secret")
    with pytest.raises(ServiceRefusal, match="removed from the backup") as refused:
        first.session.sync()
    assert refused.value.action is Action.RECONNECT
    assert first.session.backup().signed_out == "revoked"

    script = Script(code=[lambda: service.code(EMAIL)])
    result = first.run(enable_backup(first.session), script)
    assert result.reconnected
    assert script.asked == [Ask.CODE]
    state = first.session.backup()
    assert state.signed_out is None
    assert not state.pending
    second.session.sync()
    assert second.labels() == {"Heroku: me", "Quip: me"}
    _, events = second.session.notifications(online=True)
    assert events is not None
    assert "device_signed_in" in [e.kind for e in events]


def test_change_email_to_the_same_address_sends_nothing(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """The backup's own address as the new one is said at once; no code is mailed."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    before = len(service.templates(EMAIL))
    with pytest.raises(BackupError, match="already the backup's address"):
        device.run(settings.change_email(device.session), Script(email=[EMAIL.upper()]))
    assert len(service.templates(EMAIL)) == before


def test_a_device_renamed_is_listed_by_its_new_name(
    device_factory: Callable[..., Device], service: ServiceHarness
) -> None:
    """Renaming this device changes what every device lists; an empty or control name is
    refused with one sentence."""
    device = device_factory("phone")
    device.add("Heroku", "me", b"heroku-secret")
    enable(device, service)
    mine = next(d for d in settings.devices(device.session) if d.current)
    assert settings.rename_device(device.session, str(mine.id), "Work phone").name == "Work phone"
    assert [d.name for d in settings.devices(device.session)] == ["Work phone"]
    with pytest.raises(InvalidInputError, match="device name"):
        settings.rename_device(device.session, str(mine.id), "a\x00b")
