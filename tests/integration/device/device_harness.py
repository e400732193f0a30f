"""Devices (vault, flows, scripted prompts) on the real service of tests/conftest.py."""

from __future__ import annotations

import html
import re
import time
from typing import TYPE_CHECKING, Any

import httpx

from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.client import ServiceClient
from otpkeep.device.flows.context import Event, FlowContext
from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import ServiceHarness

SMALL_KDF = KdfParams(memory_kib=8, iterations=1)
DEEP_LINK = re.compile(r'(otpkeep://verify\?[^"\'<\s]+)')


def deep_link(service: ServiceHarness, to: str) -> str:
    """The otpkeep:// link on the landing page that the latest mail to ``to`` links to."""
    landing = service.link(to)
    path = "/" + landing.split("://", 1)[1].split("/", 1)[1]
    page = service.client.get(path)
    assert page.status_code == 200, page.text
    found = DEEP_LINK.search(page.text)
    assert found is not None, page.text
    return html.unescape(found.group(1))


class Script:
    """A prompter answering from queues; an answer may be a callable (e.g. read the mail)."""

    def __init__(self, **answers: list[Any]) -> None:
        self.answers = {key: list(values) for key, values in answers.items()}
        self.events: list[Event] = []
        self.asked: list[str] = []

    def _next(self, kind: str) -> str:
        self.asked.append(kind)
        queue = self.answers.get(kind) or []
        if not queue:
            raise EOFError(f"no answer scripted for {kind}")
        answer = queue.pop(0)
        return str(answer() if callable(answer) else answer)

    def email(self) -> str:
        return self._next("email")

    def code(self) -> str:
        return self._next("code")

    def passcode(self) -> str:
        return self._next("passcode")

    def passcode_again(self) -> str:
        return self._next("again")

    def confirm(self, question: str) -> bool:
        return self._next("confirm") == "yes"

    def event(self, event: Event) -> None:
        self.events.append(event)


class Device:
    """One device: its own vault, talking to ``service``."""

    def __init__(self, home: Path, service: ServiceHarness) -> None:
        self.home = home
        self.service = service
        self.vault = Vault(home, on_change=pending_hook(home), keystore="file")
        self.online = True
        self.clock_offset = 0.0

    def now(self) -> float:
        return time.time() + self.clock_offset

    def connect(self, _url: str) -> ServiceClient:
        if not self.online:

            def refuse(request: httpx.Request) -> httpx.Response:
                raise httpx.ConnectError("offline", request=request)

            offline = httpx.Client(
                base_url="http://testserver", transport=httpx.MockTransport(refuse)
            )
            return ServiceClient(offline, sleep=lambda _s: None, owned=True)
        return ServiceClient(self.service.client, sleep=lambda _s: None)

    def flows(self, script: Script) -> FlowContext:
        return FlowContext(
            vault=self.vault,
            prompter=script,
            server_url="http://testserver",
            connect=self.connect,
            clock=self.now,
            sleep=self.service.clock.advance,
            device_name=self.home.name,
            checkin_kdf=SMALL_KDF,
        )

    def add(self, issuer: str, name: str, secret: bytes) -> str:
        with self.vault.transaction() as data:
            stored = data.add(Account(issuer, name, secret), int(self.now() * 1000))
            assert stored is not None
            return stored.id

    def remove(self, id_: str) -> None:
        with self.vault.transaction() as data:
            data.remove(id_, int(self.now() * 1000))

    def labels(self) -> set[str]:
        return {s.account.label for s in self.vault.load().live() if s.account is not None}
