"""Fixtures of the device tests: devices on the real service of tests/conftest.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from device_harness import Device

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from service_harness import ServiceHarness


@pytest.fixture
def device_factory(tmp_path: Path, service: ServiceHarness) -> Callable[..., Device]:
    """Devices, each with its own home, on ``service`` (or on the one given)."""

    def make(name: str, on: ServiceHarness | None = None) -> Device:
        return Device(tmp_path / name, on or service)

    return make
