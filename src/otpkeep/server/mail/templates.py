"""The messages the service sends, each written for the person who receives it.

Every template says what happened and what to do if it was not them. A link becomes a
button in the HTML part (the text part keeps the URL). Context values are
plain strings or numbers; control characters in them are replaced by spaces (a device
name must not be able to add lines to a message), and the HTML alternative escapes them.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from string import Template
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

NOT_YOU: Final = (
    "If this was not you, someone else may know your email password or hold one of "
    "your devices: change your email password, then open otpkeep on a device you trust "
    "and check Settings."
)

PURPOSES: Final[Mapping[str, str]] = {
    "enable": "turn on backup for your accounts",
    "transfer": "transfer your backed-up accounts to a new device",
    "change_email": "make this the email address of your backup",
}

SUBJECTS: Final[Mapping[str, str]] = {
    "enable": "Your otpkeep code to turn on backup",
    "transfer": "Your otpkeep code to transfer your accounts",
    "change_email": "Your otpkeep code to confirm this address",
}
"""The verification mail's subject, by purpose (it never holds the code)."""

BUTTONS: Final[Mapping[str, str]] = {
    "link": "Open otpkeep",
    "undo_link": "Undo the change",
}
"""The words of the HTML button of a template's link, by the link's placeholder."""


@dataclass(frozen=True, slots=True)
class MailTemplate:
    """A subject and a plain-text body with ``$placeholders``."""

    subject: str
    text: Template

    @property
    def fields(self) -> list[str]:
        """The names of the placeholders the body needs."""
        return self.text.get_identifiers()


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """A message ready to be put into an email: subject, text and HTML bodies."""

    template: str
    subject: str
    text: str
    html: str


TEMPLATES: Final[Mapping[str, MailTemplate]] = {
    "verification_code": MailTemplate(
        subject="Your otpkeep verification code",
        text=Template(
            "Your otpkeep verification code is:\n\n"
            "    $code\n\n"
            "Enter it in otpkeep to $purpose, or open this link on the device where you "
            "asked for it:\n\n"
            "$link\n\n"
            "The code expires in $minutes minutes and works only once. Never share it: "
            "nobody from otpkeep will ask you for it.\n\n"
            "If you did not ask for this code, someone typed your address into otpkeep. "
            "You can ignore this email; without the code nothing changes, and without your "
            "backup passcode the code alone opens nothing.\n"
        ),
    ),
    "backup_enabled": MailTemplate(
        subject="Backup is on for your otpkeep accounts",
        text=Template(
            "Backup is now on for the accounts in otpkeep. Every change to them is "
            "encrypted on your device and backed up automatically. To move them to a new "
            "device, you will need this email address and your backup passcode.\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "transfer_completed": MailTemplate(
        subject="Your otpkeep accounts were transferred to a device",
        text=Template(
            'Your backed-up otpkeep accounts were just transferred to the device "$device_name", '
            "using your backup passcode. That device now keeps the backup up to date too.\n\n"
            "If this was you, there is nothing to do.\n\n"
            f"{NOT_YOU} Then change your backup passcode and remove any device you do "
            "not know under Settings, Devices.\n"
        ),
    ),
    "passcode_failed": MailTemplate(
        subject="A wrong backup passcode was entered",
        text=Template(
            "Someone trying to transfer your otpkeep backup to a new device $what. "
            "Tries left: $tries_left. The next try is possible $next_try. When no try is "
            "left, the backup is deleted for your safety.\n\n"
            "If this was you, try again with care, or keep your accounts on the device "
            "that still has them.\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "backup_destroyed": MailTemplate(
        subject="Your otpkeep backup was deleted after too many wrong passcodes",
        text=Template(
            "The backup passcode was entered wrongly too many times, so your otpkeep "
            "backup was deleted for your safety. Nobody can read it now.\n\n"
            "Your accounts are still on every device that had them. Open otpkeep on one "
            "of them and turn backup on again, with a new passcode.\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "email_changed_old": MailTemplate(
        subject="The email address of your otpkeep backup was changed",
        text=Template(
            "The email address of your otpkeep backup was changed to $new_email. "
            "Messages about the backup now go there, and this address no longer "
            "works for it.\n\n"
            "If you did not make this change, undo it with this link within $days days "
            "(it makes this the backup's address again):\n\n"
            "$undo_link\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "email_changed_new": MailTemplate(
        subject="This is now the email address of your otpkeep backup",
        text=Template(
            "This address is now the email address of your otpkeep backup, in place of "
            "$old_email. You will need it to transfer your accounts to a new device.\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "email_change_undone": MailTemplate(
        subject="A change of your otpkeep backup's address was undone",
        text=Template(
            "The previous address of your otpkeep backup undid a change of address: the "
            "backup's address is the previous one again, and the device that made the "
            "change was signed out.\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "passcode_changed": MailTemplate(
        subject="Your otpkeep backup passcode was changed",
        text=Template(
            "The passcode of your otpkeep backup was changed. From now on, transferring "
            "your accounts to a new device needs the new passcode.\n\n"
            f"{NOT_YOU} Then change the passcode again under Settings, Change backup "
            "passcode.\n"
        ),
    ),
    "device_signed_in": MailTemplate(
        subject="A device signed in again to your otpkeep backup",
        text=Template(
            'The device "$device_name" signed in again to your otpkeep backup with the '
            "backup's key, after your email address was verified on it.\n\n"
            "If this was you, there is nothing to do.\n\n"
            f"{NOT_YOU} Then remove the device under Settings, Devices.\n"
        ),
    ),
    "device_revoked": MailTemplate(
        subject="A device was removed from your otpkeep backup",
        text=Template(
            'The device named "$device_name" was removed from your otpkeep backup. '
            "It can no longer read or change the backup.\n\n"
            f"{NOT_YOU}\n"
        ),
    ),
    "backup_deleted": MailTemplate(
        subject="Your otpkeep backup was deleted",
        text=Template(
            'Your otpkeep backup and all its earlier versions were deleted from the device "'
            '$device_name", as asked, and every device was signed out of it. Your accounts '
            "are still on your devices; backup is off.\n\n"
            f"{NOT_YOU} Then turn backup on again from a device you trust.\n"
        ),
    ),
    "account_deleted": MailTemplate(
        subject="Your otpkeep backup account was deleted",
        text=Template(
            "Everything the otpkeep backup service held about you was deleted, as asked: "
            "your backups, your devices and this email address. This is the last email "
            "you will receive from it.\n\n"
            f"{NOT_YOU} Your accounts are still on your devices; turn backup on again "
            "from one you trust.\n"
        ),
    ),
}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_URL_LINE = re.compile(r"^https?://\S+$|^otpkeep://\S+$")


def render(template: str, context: Mapping[str, str | int]) -> RenderedMail:
    """Fill ``template`` with ``context``; a missing field or template is a programming error."""
    try:
        spec = TEMPLATES[template]
    except KeyError:
        raise ValueError(f"there is no mail template named {template!r}") from None
    missing = [name for name in spec.fields if name not in context]
    if missing:
        raise ValueError(f"mail template {template!r} needs {', '.join(missing)}")
    values = {name: _clean(context[name]) for name in spec.fields}
    subject = spec.subject
    if "purpose" in values:
        subject = SUBJECTS.get(values["purpose"], subject)
        values["purpose"] = PURPOSES.get(values["purpose"], values["purpose"])
    text = spec.text.substitute(values)
    buttons = {values[name]: label for name, label in BUTTONS.items() if name in values}
    return RenderedMail(
        template=template, subject=subject, text=text, html=_to_html(subject, text, buttons)
    )


def _clean(value: str | int) -> str:
    return _CONTROL.sub(" ", str(value)).strip()


BUTTON_STYLE: Final = (
    "display:inline-block;padding:12px 22px;background:#0b5cad;color:#ffffff;"
    "border-radius:8px;text-decoration:none;font-weight:600"
)


def _to_html(subject: str, text: str, buttons: Mapping[str, str]) -> str:
    paragraphs = []
    for block in text.strip().split("\n\n"):
        line = block.strip()
        escaped = html.escape(line)
        if _URL_LINE.match(line):
            label = html.escape(buttons.get(line, "Open the link"))
            paragraphs.append(f'<p><a href="{escaped}" style="{BUTTON_STYLE}">{label}</a></p>')
        elif block.startswith("    "):
            paragraphs.append(f'<p style="font-size:1.6em;letter-spacing:0.2em">{escaped}</p>')
        else:
            paragraphs.append(f"<p>{escaped}</p>")
    body = "\n".join(paragraphs)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>\n"
        f'<body style="font-family:sans-serif;line-height:1.4">\n{body}\n</body>\n</html>\n'
    )
