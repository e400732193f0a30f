"""An SMTP server on loopback that keeps what the services deliver, by Message-ID.

A sender that dies between handing a message over and recording it delivers it again with
the same Message-ID; :meth:`MailSink.messages` keeps one copy of each (what a receiving
mail system does), and :attr:`MailSink.receipts` counts every copy that arrived. Messages
are indexed by recipient as they arrive, so waiting for a code costs no parsing.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter, defaultdict
from email import policy
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller

if TYPE_CHECKING:
    from email.message import EmailMessage

    from aiosmtpd.smtp import SMTP, Envelope
    from aiosmtpd.smtp import Session as SMTPSession

CODE = re.compile(r"^\s*(\d{6})\s*$", re.MULTILINE)


class MailSink:
    """Keeps one copy of each message it receives; templates and codes by recipient."""

    def __init__(self) -> None:
        self.receipts: Counter[str] = Counter()
        self._messages: list[EmailMessage] = []
        self._by_recipient: defaultdict[str, list[tuple[str, str | None]]] = defaultdict(list)
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        """Accept a message; keep it unless its Message-ID was already received."""
        del server, session
        content: Any = envelope.original_content or envelope.content
        message: Any = BytesParser(policy=policy.SMTP).parsebytes(bytes(content))
        message_id = str(message["Message-ID"])
        template = str(message["X-Otpkeep-Template"])
        code = None
        if template == "verification_code":
            body = message.get_body(preferencelist=("plain",))
            found = CODE.search(body.get_content()) if body is not None else None
            code = found.group(1) if found else None
        with self._arrived:
            self.receipts[message_id] += 1
            if self.receipts[message_id] == 1:
                self._messages.append(message)
                for recipient in envelope.rcpt_tos:
                    self._by_recipient[recipient.lower()].append((template, code))
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """One copy of each message received, in order of arrival."""
        with self._arrived:
            return list(self._messages)

    def templates(self, to: str) -> list[str]:
        """The template names of the messages to ``to``, in order of arrival."""
        with self._arrived:
            return [template for template, _ in self._by_recipient[to.lower()]]

    def recipients(self) -> Counter[str]:
        """How many distinct messages each address received."""
        with self._arrived:
            return Counter({to: len(kept) for to, kept in self._by_recipient.items()})

    def wait_for(self, addresses: list[str], *, timeout: float = 30.0) -> None:
        """Wait until each of ``addresses`` received a message; fail naming those that did not."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                missing = [to for to in addresses if not self._by_recipient.get(to.lower())]
                left = deadline - time.monotonic()
                if not missing:
                    return
                if left <= 0:
                    raise AssertionError(f"{len(missing)} addresses got no mail: {missing[:5]}")
                self._arrived.wait(left)

    def wait_code(self, to: str, *, after: int = 0, timeout: float = 30.0) -> str:
        """The code of the verification message to ``to`` that follows the first ``after``."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                codes = [code for _, code in self._by_recipient[to.lower()] if code is not None]
                if len(codes) > after:
                    return codes[after]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no verification code reached {to} in {timeout:.0f} s")
                self._arrived.wait(left)


class SinkServer:
    """A :class:`MailSink` served by aiosmtpd on a loopback port."""

    def __init__(self, port: int) -> None:
        self.sink = MailSink()
        self.port = port
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=port)

    @property
    def url(self) -> str:
        """``OTPKEEP_SMTP_URL`` for the services."""
        return f"smtp://127.0.0.1:{self.port}?timeout=10"

    def start(self) -> SinkServer:
        """Listen."""
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        self.controller.stop()
