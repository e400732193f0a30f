"""Databases, clocks, settings and an SMTP server on loopback for the mail tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from aiosmtpd.controller import Controller

from otpkeep.server.db.engine import open_engine

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from aiosmtpd.smtp import SMTP, Envelope
    from aiosmtpd.smtp import Session as SMTPSession
    from sqlalchemy import Engine

START = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The service's own engine on the shared ``database_url`` fixture (migrated, not created)."""
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


class SteppingClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> SteppingClock:
    """A clock at 2026-03-01 09:00 UTC."""
    return SteppingClock()


@dataclass(frozen=True)
class MailSettingsFake:
    """The three settings the mail package reads."""

    resolved_mail_dir: Path
    smtp_url: str | None = None
    mail_from: str = "otpkeep <no-reply@example.org>"


@pytest.fixture
def mail_settings(tmp_path: Path) -> MailSettingsFake:
    """Settings that write ``.eml`` files under the test's folder."""
    return MailSettingsFake(resolved_mail_dir=tmp_path / "mail")


@pytest.fixture
def smtp_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RecordingHandler:
    """An SMTP server's handler that keeps every envelope it accepts."""

    def __init__(self, refuse: set[str] | None = None) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse = refuse or set()

    async def handle_RCPT(
        self,
        server: SMTP,
        session: SMTPSession,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: SMTPSession, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


class SMTPServers:
    """Starts aiosmtpd servers on loopback and stops them after the test."""

    def __init__(self) -> None:
        self.controllers: list[Controller] = []

    def start(
        self, port: int, *, refuse: set[str] | None = None, **options: Any
    ) -> RecordingHandler:
        handler = RecordingHandler(refuse)
        controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
        controller.start()
        self.controllers.append(controller)
        return handler

    def stop_all(self) -> None:
        for controller in self.controllers:
            controller.stop()


@pytest.fixture
def smtp_servers() -> Iterator[SMTPServers]:
    """A starter of real SMTP servers on loopback, all stopped after the test."""
    servers = SMTPServers()
    yield servers
    servers.stop_all()
