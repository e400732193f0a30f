"""The attacks of docs/security.md, against the real HTTP API of a service on a real database.

Every test here gets :class:`Target`: a service built on the ``database_url`` fixture (so
each runs on SQLite and on PostgreSQL), served by uvicorn on a loopback socket, and
clients that speak to it over HTTP — from any source address of 127.0.0.0/8, so a test
can be two people on two networks. The owner's mail is read from the service's outbox,
as a mailbox reader would read it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sqlalchemy import text

import escrowkit
from otpkeep.server.services import maintenance

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from service_harness import ServiceHarness


@dataclass
class Target:
    """A live service under attack, and the means to reach it."""

    harness: ServiceHarness
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.harness.url

    def client(self, source: str | None = None) -> httpx.Client:
        """An HTTP client of the service, sending from ``source`` (an address of 127/8)."""
        transport = httpx.HTTPTransport(local_address=source) if source else None
        client = httpx.Client(base_url=self.url, timeout=30, transport=transport)
        self.clients.append(client)
        return client

    def verify(self, email: str, purpose: str = "transfer", client: httpx.Client | None = None,
               *, name: str = "a device") -> dict[str, Any]:  # fmt: skip
        """Ask for a code for ``email`` and confirm it with the code from the mailbox."""
        http = client or self.client()
        started = http.post(
            "/v1/verifications", json={"email": email, "purpose": purpose, "device_name": name}
        )
        assert started.status_code == 202, started.text
        confirmed = http.post(
            f"/v1/verifications/{started.json()['verification_id']}/confirm",
            json={"code": self.harness.code(email)},
        )
        assert confirmed.status_code == 200, confirmed.text
        granted: dict[str, Any] = confirmed.json()
        return granted

    def mailbox_device(self, email: str, purpose: str = "transfer") -> escrowkit.Device:
        """What a person who reads ``email``'s mailbox gets: a device with a mailbox session."""
        http = self.client()
        granted = self.verify(email, purpose, http, name="attacker")
        return escrowkit.Device(http, granted["session_token"], uuid.UUID(granted["account_id"]))

    def owner(self, email: str, passcode: str = "2580") -> escrowkit.Device:
        """The owner's device: backup on, passcode set, one version uploaded, over HTTP."""
        http = self.client()
        granted = self.verify(email, "enable", http, name="owner's phone")
        device = escrowkit.Device(http, granted["session_token"], uuid.UUID(granted["account_id"]))
        assert device.set_passcode(passcode).status_code == 200
        assert (
            device.upload(device.seal(b"the owner's accounts", 1), if_match=None).status_code == 200
        )
        return device

    def templates(self, email: str) -> list[str]:
        """The templates of the mail ``email`` received, oldest first."""
        return self.harness.templates(email)

    def run_janitor(self) -> maintenance.MaintenanceReport:
        """One run of the janitor, as the serving process does once a minute."""
        return maintenance.run(self.harness.app.state.runtime)

    def rows(self, query: str, **parameters: Any) -> list[Any]:
        """Rows of a query on the service's own database (what a database dump holds)."""
        engine = self.harness.app.state.runtime.engine
        with engine.connect() as connection:
            return list(connection.execute(text(query), parameters))

    def escrow(self, account_id: uuid.UUID) -> Any:
        """The escrow row of an account, as a dump of the database shows it."""
        rows = self.rows(
            "SELECT key_version, tries_left, failures, auth_public_key, wrapped_data_key, "
            "possession_public_key, oprf_salt, kdf FROM passcodes WHERE account_id = :id",
            id=account_id.hex if self.sqlite else account_id,
        )
        return rows[0] if rows else None

    @property
    def sqlite(self) -> bool:
        return self.harness.settings.resolved_database_url.startswith("sqlite")


@pytest.fixture
def target(
    service_factory: Callable[..., ServiceHarness],
    serve_live: Callable[[ServiceHarness], ServiceHarness],
) -> Iterator[Target]:
    """A service on this test's database, served on a loopback socket."""
    target = Target(serve_live(service_factory()))
    yield target
    for client in target.clients:
        client.close()


@pytest.fixture
def target_factory(
    service_factory: Callable[..., ServiceHarness],
    serve_live: Callable[[ServiceHarness], ServiceHarness],
) -> Iterator[Callable[..., Target]]:
    """``target_factory(**settings)``: a live service with setting overrides."""
    made: list[Target] = []

    def build(**settings: Any) -> Target:
        made.append(Target(serve_live(service_factory(**settings))))
        return made[-1]

    yield build
    for target in made:
        for client in target.clients:
            client.close()
