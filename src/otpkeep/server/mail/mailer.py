"""The ``Mailer`` role, the settings it is chosen from, and the in-memory mailer of tests.

Implementations: :class:`~otpkeep.server.mail.filemailer.FileMailer` (the default: one
``.eml`` file per message in the mail folder), :class:`~otpkeep.server.mail.smtp.SMTPMailer`
(``OTPKEEP_SMTP_URL``) and :class:`MemoryMailer` (tests).
"""

from __future__ import annotations

import re
import threading
from email.utils import getaddresses
from typing import TYPE_CHECKING, Protocol

from otpkeep.server.mail.filemailer import FileMailer
from otpkeep.server.mail.smtp import SMTPMailer

if TYPE_CHECKING:
    from email.message import EmailMessage
    from pathlib import Path

_CODE = re.compile(r"^\s+(\d{6,10})\s*$", re.MULTILINE)
_LINK = re.compile(r"^(\S+://\S+)\s*$", re.MULTILINE)


class Mailer(Protocol):
    """Hands one message to its next hop; raises ``MailDeliveryError`` when it cannot."""

    def send(self, message: EmailMessage) -> None: ...


class Secret(Protocol):
    """A setting whose value is read on purpose only (pydantic's ``SecretStr``)."""

    def get_secret_value(self) -> str: ...


class MailSettings(Protocol):
    """The settings the mail package reads, by name, from the service's settings."""

    @property
    def resolved_mail_dir(self) -> Path:
        """``mail_dir``, or its default in the data folder."""

    @property
    def smtp_url(self) -> Secret | str | None:
        """``OTPKEEP_SMTP_URL``: SMTP when set, ``.eml`` files otherwise."""

    @property
    def mail_from(self) -> str:
        """``OTPKEEP_MAIL_FROM``: the ``From`` of every message."""


def mailer_from_settings(settings: MailSettings) -> Mailer:
    """SMTP when ``smtp_url`` is set, else ``.eml`` files in the mail folder."""
    url = settings.smtp_url
    if url is not None and not isinstance(url, str):
        url = url.get_secret_value()
    if url:
        return SMTPMailer(url)
    return FileMailer(settings.resolved_mail_dir)


class MemoryMailer:
    """Keeps every message it is given, in order; for tests."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"MemoryMailer({len(self.messages)} messages)"

    def send(self, message: EmailMessage) -> None:
        """Keep ``message``."""
        with self._lock:
            self.messages.append(message)

    def to(self, address: str) -> list[EmailMessage]:
        """The messages sent to ``address``, oldest first."""
        wanted = address.strip().lower()
        with self._lock:
            sent = list(self.messages)
        return [
            message
            for message in sent
            if any(addr.lower() == wanted for _, addr in getaddresses(message.get_all("To", [])))
        ]

    def latest_code(self, address: str) -> str | None:
        """The code of the latest verification message to ``address``, if any."""
        match = self._latest(address, _CODE)
        return match.group(1) if match else None

    def latest_link(self, address: str) -> str | None:
        """The link of the latest verification message to ``address``, if any."""
        match = self._latest(address, _LINK)
        return match.group(1) if match else None

    def _latest(self, address: str, pattern: re.Pattern[str]) -> re.Match[str] | None:
        for message in reversed(self.to(address)):
            body = message.get_body(preferencelist=("plain",))
            if body is None:
                continue
            match = pattern.search(body.get_content())
            if match:
                return match
        return None
