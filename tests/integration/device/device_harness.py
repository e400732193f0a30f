"""Devices (vault, session, scripted person) on the real service of tests/conftest.py."""

from __future__ import annotations

import html
import re
import time
from typing import TYPE_CHECKING, TypeVar

import httpx

from flowscript import Script
from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.client import ServiceClient
from otpkeep.device.session import Session
from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account

if TYPE_CHECKING:
    from pathlib import Path

    from otpkeep.device.flows.steps import Flow
    from service_harness import ServiceHarness

T = TypeVar("T")

SMALL_KDF = KdfParams(memory_kib=8, iterations=1)
SERVICE_URL = "http://127.0.0.1:9"
"""What the devices call the service; their ``connect`` reaches the test's service, whatever
it is."""
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

    @property
    def session(self) -> Session:
        """The device as its flows see it: this vault and clock, the test's service."""
        return Session(
            self.vault,
            clock=self.now,
            server_option=SERVICE_URL,
            connect=self.connect,
            sleep=self.service.clock.advance,
            name=self.home.name,
            checkin_kdf=SMALL_KDF,
        )

    def run(self, flow: Flow[T], script: Script | None = None) -> T:
        """Drive ``flow`` with ``script`` (none: a person who answers nothing); waits pass
        on the service's clock."""
        script = script or Script()
        if script.on_wait is None:
            script.on_wait = self.service.clock.advance
        return script.run(flow)

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
