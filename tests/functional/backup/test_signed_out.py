"""When the service ends a device's part in the backup: said once, and a way back."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from conftest import BIN, PASSCODE, Screen

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable

    from conftest import Device, Owner, Server

REMOVED = (
    "otpkeep: This device was removed from the backup by another of your devices. "
    "Sign this device in again with `otpkeep backup enable`."
)


def _add(device: Device, issuer: str) -> subprocess.CompletedProcess[str]:
    return device.run("add", "--issuer", issuer, "--name", "me", "--secret", "JBSWY3DPEHPK3PXP")


def test_a_revoked_device_is_told_once_and_signs_in_again_without_a_passcode(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """Revoked by another device: told once how to come back; `backup enable` brings it back."""
    address, phone = owner.address, owner.phone
    laptop = device_factory("laptop")
    assert "1 account arrived" in laptop.transfer(address, PASSCODE)
    [other] = [item for item in json.loads(laptop.ok("devices", "--json")) if not item["current"]]
    revoked = laptop.ok("devices", "revoke", other["id"])
    assert "can no longer read or change the backup" in revoked

    told = _add(phone, "GitHub")
    assert told.returncode == 0
    assert told.stderr.splitlines() == [REMOVED]
    assert phone.run("list").stderr == ""  # said once
    assert phone.run("code").stderr == ""
    later = _add(phone, "GitLab")
    assert later.stderr.splitlines() == [
        "otpkeep: 2 changes wait until this device signs in: `otpkeep backup enable`."
    ]
    status = phone.ok("backup", "status")
    assert "Signed in:    no. Another of your devices removed this one." in status
    assert "`otpkeep backup enable`" in status
    assert json.loads(phone.ok("backup", "status", "--json"))["signed_out"] == "revoked"
    assert "This device is signed out of the backup" in phone.ok("notifications")

    sent = len(server.mails(address))
    back = phone.start("backup", "enable")
    try:
        back.expect(f"This device was signed out of the backup of {address}")
        back.expect("enter it here")
        back.send(server.code(address, sent + 1))
        assert back.finish() == 0, back.stderr  # no passcode was asked for
    finally:
        back.stop()
    assert back.stdout == f"This device is signed in again to the backup of {address}.\n"
    status = phone.ok("backup", "status")
    assert "Signed in:" not in status
    assert "Pending:      no" in status
    uploaded = json.loads(phone.ok("backup", "status", "--json"))["version"]
    assert _add(phone, "Tableau").stderr == ""
    assert json.loads(phone.ok("backup", "status", "--json"))["version"] == uploaded + 1


def test_disable_says_every_device_and_the_other_device_is_told_once(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """`backup disable` names every device; the other one is told once, then stays quiet."""
    address, phone = owner.address, owner.phone
    laptop = device_factory("laptop")
    laptop.transfer(address, PASSCODE)

    screen = Screen([BIN / "otpkeep", "--server", server.url, "backup", "disable"], env=phone.env())
    asked = screen.expect("[y/N] ")
    assert "Backup turns off on every device that uses it" in asked
    screen.type("y")
    assert screen.finish() == 0
    assert "backup is off on every device that used it" in screen.shown

    told = _add(laptop, "GitHub")
    assert told.returncode == 0
    [line] = told.stderr.splitlines()
    assert line.startswith("otpkeep: The backup at the service is gone")
    assert "Backup is off on this device; its accounts are kept." in line
    for command in (["list"], ["code"], ["add", "otpauth://totp/Quip:me?secret=GEZDGNBVGY3TQOJQ"]):
        result = laptop.run(*command)
        assert result.returncode == 0
        assert result.stderr == "", command  # no "backup pending" for a backup that is gone
    assert laptop.ok("backup", "status").startswith(
        "Backup is off: the backup was deleted at the service, from this device or another."
    )
    assert "Backup is off" in laptop.ok("notifications")
    assert "GitHub" in laptop.ok("list")
