"""The service of one test, as the ``service`` fixtures of tests/conftest.py build it.

The types live here rather than in tests/conftest.py so that every test module and every
nested ``conftest.py`` can name them: pytest imports each ``conftest.py`` as the module
``conftest``, so a nested one cannot import the root one by that name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from otpkeep.server.mail.sender import OutboxSender

if TYPE_CHECKING:
    from email.message import EmailMessage

    import httpx
    from fastapi import FastAPI

    from otpkeep.server.mail.mailer import MemoryMailer
    from otpkeep.server.settings import Settings


@dataclass
class SettableClock:
    """Real time plus an offset that tests move forward."""

    offset: dt.timedelta = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` forward."""
        self.offset += dt.timedelta(seconds=seconds)


@dataclass
class ServiceHarness:
    """The service of one test, and what tests need around it."""

    app: FastAPI
    settings: Settings
    client: httpx.Client
    """A Starlette ``TestClient`` of :attr:`app`, named by the ``httpx.Client`` it is: Starlette
    declares that base class by importing ``httpx2``, which is not installed, so mypy would
    see it as ``Any`` and every answer too."""
    mailer: MemoryMailer
    clock: SettableClock
    url: str = "http://testserver"
    _sender: OutboxSender | None = field(default=None, repr=False)

    def deliver(self) -> None:
        """Deliver every queued mail into :attr:`mailer` now."""
        if self._sender is None:
            self._sender = OutboxSender(
                self.app.state.runtime.engine,
                self.mailer,
                key=self.app.state.runtime.keys.outbox,
                mail_from=self.settings.mail_from,
                clock=self.clock,
            )
        self._sender.drain()

    def mails(self, to: str) -> list[EmailMessage]:
        """Every message delivered to ``to``, oldest first (after delivering the queue)."""
        self.deliver()
        return self.mailer.to(to)

    def templates(self, to: str) -> list[str]:
        """The template names of the messages sent to ``to``, oldest first."""
        return [str(message["X-Otpkeep-Template"]) for message in self.mails(to)]

    def code(self, to: str) -> str:
        """The latest verification code mailed to ``to``."""
        self.deliver()
        code = self.mailer.latest_code(to)
        assert code is not None, f"no code was mailed to {to}"
        return code

    def link(self, to: str) -> str:
        """The latest landing-page link mailed to ``to``."""
        self.deliver()
        link = self.mailer.latest_link(to)
        assert link is not None, f"no link was mailed to {to}"
        return link

    def verify(
        self,
        email: str,
        purpose: str = "enable",
        *,
        device_name: str = "test device",
        token: str | None = None,
        possession: str | None = None,
    ) -> dict[str, Any]:
        """Run a verification to its end; the JSON answer of the confirmation.

        A change of address needs the device's ``token`` and a ``possession`` proof.
        """
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        start_headers = {**headers, "Otpkeep-Possession": possession} if possession else headers
        started = self.client.post(
            "/v1/verifications",
            json={"email": email, "purpose": purpose, "device_name": device_name},
            headers=start_headers,
        )
        assert started.status_code == 202, started.text
        confirmed = self.client.post(
            f"/v1/verifications/{started.json()['verification_id']}/confirm",
            json={"code": self.code(email)},
            headers=headers,
        )
        assert confirmed.status_code == 200, confirmed.text
        result: dict[str, Any] = confirmed.json()
        return result


ServiceFactory = Callable[..., ServiceHarness]
"""``service_factory(**settings)``: a further service on the test's database."""


def mail_text(message: EmailMessage, subtype: str = "plain") -> str:
    """The ``text/<subtype>`` part of ``message``; the test fails when it has none."""
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None, f"the mail has no text/{subtype} part"
    return str(part.get_content())
