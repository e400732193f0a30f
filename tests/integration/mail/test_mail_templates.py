"""The mail templates: every one renders for a person, safely, with nothing left unfilled."""

from __future__ import annotations

import re

import pytest

from otpkeep.server.mail.templates import TEMPLATES, render

CONTEXTS: dict[str, dict[str, str | int]] = {
    "verification_code": {
        "code": "492817",
        "link": "https://backup.example.org/v/9f2c?code=492817",
        "purpose": "transfer",
        "minutes": 10,
    },
    "backup_enabled": {},
    "transfer_completed": {"device_name": "Ada's phone"},
    "passcode_failed": {
        "tries_left": 7,
        "next_try": "from 1 December 2026, 14:05 UTC",
        "what": "entered a wrong backup passcode",
    },
    "backup_destroyed": {},
    "email_changed_old": {
        "new_email": "ada@example.net",
        "undo_link": "https://backup.example.org/e/AbC",
        "days": 7,
    },
    "email_changed_new": {"old_email": "ada@example.org"},
    "email_change_undone": {},
    "passcode_changed": {},
    "device_signed_in": {"device_name": "Ada's phone"},
    "device_revoked": {"device_name": "Old laptop"},
    "backup_deleted": {"device_name": "Old laptop"},
    "account_deleted": {},
}


def test_the_service_has_exactly_its_thirteen_templates() -> None:
    """The service's thirteen messages exist, and no other."""
    assert set(TEMPLATES) == set(CONTEXTS)


@pytest.mark.parametrize("name", sorted(CONTEXTS))
def test_every_template_renders_completely(name: str) -> None:
    """Each template fills every placeholder and says what to do if it was not them."""
    mail = render(name, CONTEXTS[name])
    for part in (mail.subject, mail.text, mail.html):
        assert "$" not in part
        assert not re.search(r"\{\w+\}", part)
    for value in CONTEXTS[name].values():
        assert str(value) in mail.text
    assert "not you" in mail.text or "did not ask" in mail.text
    assert mail.html.startswith("<!DOCTYPE html>")
    assert len(mail.subject) < 78


def test_verification_code_reads_as_a_sentence_with_its_link() -> None:
    """The purpose becomes words, and the link is clickable in the HTML part."""
    mail = render("verification_code", CONTEXTS["verification_code"])
    assert "to transfer your backed-up accounts to a new device" in mail.text
    assert "expires in 10 minutes" in mail.text
    assert '<a href="https://backup.example.org/v/9f2c?code=492817"' in mail.html
    assert ">Open otpkeep</a>" in mail.html
    assert mail.subject == "Your otpkeep code to transfer your accounts"
    assert "492817" not in mail.subject


def test_a_failure_mail_says_when_the_next_try_is_possible() -> None:
    """The failure mail gives the tries left and the moment the next try may be made."""
    mail = render("passcode_failed", CONTEXTS["passcode_failed"])
    assert "Tries left: 7." in mail.text
    assert "The next try is possible from 1 December 2026, 14:05 UTC." in mail.text


def test_the_old_address_gets_a_button_that_undoes_the_change() -> None:
    """The mail to the old address has the undo link in its text and as a button."""
    mail = render("email_changed_old", CONTEXTS["email_changed_old"])
    assert "https://backup.example.org/e/AbC" in mail.text
    assert ">Undo the change</a>" in mail.html


def test_a_device_name_cannot_add_lines_or_markup() -> None:
    """Control characters become spaces and the HTML part escapes what a device is called."""
    mail = render("device_revoked", {"device_name": "Pixel\r\n\r\nVisit http://evil <b>now</b>"})
    assert "Pixel Visit http://evil <b>now</b>" in mail.text
    assert "<b>" not in mail.html
    assert "&lt;b&gt;now&lt;/b&gt;" in mail.html


def test_a_missing_field_is_refused_by_name() -> None:
    """Rendering without a needed value fails rather than sending a hole."""
    with pytest.raises(ValueError, match="tries_left"):
        render("passcode_failed", {})


def test_an_unknown_template_is_refused() -> None:
    """A misspelt template name fails at once."""
    with pytest.raises(ValueError, match="no mail template"):
        render("verification", {})
