"""``--json`` on the backup's commands: stable keys for scripts, and never a secret."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from conftest import HEROKU, PASSCODE, new_address

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Device, Server


def test_status_devices_versions_and_notifications_print_json_without_secrets(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """Each --json has its documented keys, and none holds the session token or a key."""
    address = new_address()
    phone = device_factory("phone")
    assert json.loads(phone.ok("backup", "status", "--json")) == {
        "enabled": False,
        "email": None,
        "server": None,
        "signed_in": False,
        "signed_out": None,
        "version": None,
        "last_success": None,
        "pending": False,
        "last_failure": None,
        "last_error": None,
        "damaged": None,
    }
    phone.ok("add", HEROKU)
    [enable] = json.loads(phone.ok("notifications", "--json"))
    assert enable == {
        "kind": "enable_backups",
        "key": "enable_backups",
        "title": "Enable Backups",
        "detail": "Back up your accounts (Heroku is connected).",
        "action": "enable_backup",
        "next_step": "Turn backup on with `otpkeep backup enable`.",
    }
    phone.enable(address, PASSCODE)
    phone.ok("add", "--issuer", "Quip", "--name", "me", "--secret", "GEZDGNBVGY3TQOJQ")

    outputs = {
        "status": phone.ok("backup", "status", "--json"),
        "devices": phone.ok("devices", "--json"),
        "versions": phone.ok("backup", "versions", "--json"),
        "notifications": phone.ok("notifications", "--json"),
    }
    status = json.loads(outputs["status"])
    assert set(status) == {
        "enabled", "email", "server", "signed_in", "signed_out", "version", "last_success",
        "pending", "last_failure", "last_error", "damaged",
    }  # fmt: skip
    assert status["enabled"] is True
    assert status["signed_in"] is True
    assert (status["email"], status["server"], status["version"]) == (address, server.url, 2)
    assert status["pending"] is False
    assert status["last_success"].endswith("+00:00")

    [device] = json.loads(outputs["devices"])
    assert set(device) == {"id", "name", "scope", "created_at", "last_seen_at", "current"}
    assert (device["scope"], device["current"]) == ("full", True)
    uuid.UUID(device["id"])

    versions = json.loads(outputs["versions"])
    assert [item["version"] for item in versions] == [2, 1]
    keys = {"version", "created_at", "size", "accounts", "added", "removed"}
    assert all(set(item) == keys for item in versions)
    assert [(item["accounts"], item["removed"]) for item in versions] == [(2, []), (1, [])]
    assert all(isinstance(item["size"], int) and item["size"] > 0 for item in versions)

    assert isinstance(json.loads(outputs["notifications"]), list)

    token = phone.session_token()
    assert len(token) >= 20
    for name, text in outputs.items():
        assert token not in text, name
        assert "JBSWY3DPEHPK3PXP" not in text, name
        assert PASSCODE not in text, name
        assert "data_key" not in text, name
        assert "token" not in text, name
