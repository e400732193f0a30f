"""``otpkeep account export | delete``: what the service holds, seen in full, then deleted."""

from __future__ import annotations

import json
import stat
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from conftest import Device, Owner, Server


def test_export_shows_the_address_and_versions_and_writes_json_for_its_owner(
    owner: Owner, device_factory: Callable[[str], Device], server: Server, tmp_path: Path
) -> None:
    """The export reads as sentences, or is written whole as JSON to a 0600 file or to -."""
    address, phone = owner.address, owner.phone
    phone.ok("add", "--issuer", "Quip", "--name", "me", "--secret", "GEZDGNBVGY3TQOJQ")

    text = phone.ok("account", "export")
    assert f"for {address}" in text
    assert "Backup versions: 2 (sealed: only your devices can open them)." in text
    assert "  version 2  " in text
    assert "  version 1  " in text
    assert "10 tries left, 0 wrong passcodes so far" in text
    assert "Devices: 1." in text

    target = tmp_path / "mine.json"
    wrote = phone.ok("account", "export", str(target))
    assert wrote.startswith(f"Wrote {target}: everything the backup service holds about {address}")
    assert "(2 backup versions, 1 device, " in wrote
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    whole = json.loads(target.read_text())
    assert whole["email"] == address
    assert [item["version"] for item in whole["backups"]] == [2, 1]
    again = phone.run("account", "export", str(target))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    assert json.loads(phone.ok("account", "export", "-"))["email"] == address

    token = phone.session_token()
    for shown in (text, target.read_text()):
        assert token not in shown
        assert "JBSWY3DPEHPK3PXP" not in shown


def test_delete_asks_then_turns_backup_off_and_a_transfer_finds_nothing(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """Delete is confirmed first; then backup is off, the accounts stay, and no transfer works."""
    address, phone = owner.address, owner.phone

    declined = phone.run("account", "delete", stdin="n\n")
    assert declined.returncode == 1
    assert declined.stdout == "Nothing deleted.\n"
    assert "Backup:       on" in phone.ok("backup", "status")

    deleted = phone.ok("account", "delete", stdin="y\n")
    assert f"Your account at the backup service ({address}) was deleted" in deleted
    assert "backup is off on every device" in deleted
    assert phone.ok("backup", "status").startswith("Backup is off.")
    assert "Heroku" in phone.ok("list")
    refused = phone.run("account", "export")
    assert refused.returncode == 1
    assert "Backup is off on this device." in refused.stderr

    laptop = device_factory("laptop")
    sent = len(server.mails(address))
    moving = laptop.start("transfer", "--email", address)
    try:
        moving.expect("enter it here")
        moving.send(server.code(address, sent + 1))
        assert moving.finish() == 1
    finally:
        moving.stop()
    assert "otpkeep: There is no backup for this address" in moving.stderr
