"""RFC 5322 messages: building them from a rendered template, and naming them in logs.

A message is stored in the outbox without its ``From`` header: the sender adds the
configured ``mail_from`` when it delivers, so the address can change while messages wait.
Logs name a message by a short hash of its Message-ID and a recipient by its domain only.
"""

from __future__ import annotations

import hashlib
from datetime import UTC
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime
from typing import TYPE_CHECKING, Final

from otpkeep.protocol.mailbox import ascii_domain

if TYPE_CHECKING:
    import uuid
    from datetime import datetime

    from otpkeep.server.mail.templates import RenderedMail

MESSAGE_ID_DOMAIN: Final = "otpkeep"
TEMPLATE_HEADER: Final = "X-Otpkeep-Template"


def new_message_id(message_uuid: uuid.UUID) -> str:
    """A globally unique RFC 5322 Message-ID built from a random UUID."""
    return f"<{message_uuid.hex}@{MESSAGE_ID_DOMAIN}>"


def recipient(address: str) -> Address:
    """The ``To`` of ``address`` (a mailbox the wire accepted): its domain as IDNA A-labels."""
    local, _, domain = address.rpartition("@")
    return Address(username=local, domain=ascii_domain(domain))


def build_message(
    rendered: RenderedMail, *, to: str, message_id: str, now: datetime
) -> EmailMessage:
    """The message for ``to``: a text body and its HTML alternative, dated ``now``."""
    message = EmailMessage(policy=policy.SMTP)
    message["To"] = recipient(to)
    message["Subject"] = rendered.subject
    message["Date"] = format_datetime(now.astimezone(UTC))
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message[TEMPLATE_HEADER] = rendered.template
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def serialise(message: EmailMessage) -> bytes:
    """The message as RFC 5322 bytes, CRLF line endings."""
    return message.as_bytes(policy=policy.SMTP)


def parse(data: bytes) -> EmailMessage:
    """The message stored by :func:`serialise`."""
    message = BytesParser(policy=policy.SMTP).parsebytes(data)
    if not isinstance(message, EmailMessage):  # pragma: no cover - policy.SMTP makes one
        raise TypeError("the parser did not return an EmailMessage")
    return message


def id_hash(message_id: str) -> str:
    """A short, stable name for a message in logs and file names."""
    return hashlib.sha256(message_id.encode()).hexdigest()[:16]


def recipient_domain(address: str) -> str:
    """The domain of an address, the only part of it that reaches a log."""
    _, _, domain = address.rpartition("@")
    return domain.strip().rstrip(">").lower() or "?"
