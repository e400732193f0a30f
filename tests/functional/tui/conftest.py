"""The terminal app on a fresh device folder, with a fixed clock and a real in-process service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from tui_support import (
    GITHUB,
    HEROKU,
    LOCAL_ONLY,
    NOW,
    SMALL_KDF,
    delivering,
    enable_directly,
    fill,
)

from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.client import ServiceClient
from otpkeep.device.vault import Vault
from otpkeep.tui.app import OtpkeepApp, make_app

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from service_harness import ServiceFactory, ServiceHarness


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The service's database: SQLite.

    These tests are about the screens; what the service stores is checked on SQLite
    and PostgreSQL by tests/integration (service and device flows). Running them on
    both would only double their snapshots.
    """
    return f"sqlite:///{tmp_path / 'service.sqlite3'}"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OTPKEEP_KEYSTORE", "file")
    monkeypatch.delenv("OTPKEEP_SERVER", raising=False)
    folder = tmp_path / "device"
    folder.mkdir()
    return folder


@pytest.fixture
def vault(home: Path) -> Vault:
    return Vault(home, keystore="file", on_change=pending_hook(home))


@pytest.fixture
def build(home: Path, vault: Vault) -> Callable[..., OtpkeepApp]:
    """``build(**wiring)``: the app on this device folder, clock fixed, cursor steady."""

    def make(**wiring: Any) -> OtpkeepApp:
        wiring.setdefault("server", LOCAL_ONLY)
        wiring.setdefault("clock", lambda: NOW)
        return make_app(home, vault=vault, cursor_blink=False, **wiring)

    return make


@pytest.fixture
def online(service: ServiceHarness, build: Callable[..., OtpkeepApp]) -> Callable[..., OtpkeepApp]:
    """``online(**wiring)``: the app talking to this test's in-process service."""

    def connect(_url: str) -> ServiceClient:
        return ServiceClient(service.client, sleep=lambda _seconds: None)

    def make(**wiring: Any) -> OtpkeepApp:
        wiring.setdefault("connect", connect)
        wiring.setdefault("sleep", delivering(service))
        wiring.setdefault("checkin_kdf", SMALL_KDF)
        wiring.setdefault("device_name", "terminal")
        return build(**wiring)

    return make


@pytest.fixture
def slow_service(service_factory: ServiceFactory, tmp_path: Path) -> ServiceHarness:
    """A service that asks for 3 seconds after each wrong passcode, holding a backup."""
    harness = service_factory(passcode_retry_delays="3")
    phone = Vault(tmp_path / "phone", keystore="file", on_change=pending_hook(tmp_path / "phone"))
    fill(phone, GITHUB, HEROKU)
    enable_directly(phone, harness)
    return harness
