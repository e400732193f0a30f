"""The whole backup flow from a terminal, against a real otpkeep-server process."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Device, Server

HEROKU = "otpauth://totp/Heroku:me@example.com?secret=JBSWY3DPEHPK3PXP&issuer=Heroku"
QUIP = "otpauth://hotp/Quip:me?secret=GEZDGNBVGY3TQOJQ&issuer=Quip&counter=5"
PASSCODE = "482915"


def email() -> str:
    return f"user-{uuid.uuid4().hex[:8]}@example.com"


def test_enable_is_refused_without_an_ecosystem_account(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """Without an ecosystem account: one sentence naming it, a non-zero exit, no mail."""
    phone = device_factory("phone")
    phone.ok("add", "otpauth://totp/GitHub:me?secret=JBSWY3DPEHPK3PXP&issuer=GitHub")
    address = email()
    result = phone.run("backup", "enable", "--email", address)
    assert result.returncode == 1
    assert "Heroku" in result.stderr
    assert "Traceback" not in result.stderr
    assert server.mails(address) == []
    assert "Enable Backups" not in phone.ok("notifications")


def test_enable_resume_verify_then_transfer_by_link(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """Enable (interrupted, then verified by code), automatic backups, transfer by link."""
    address = email()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    assert "Enable Backups" in phone.ok("notifications")

    interrupted = phone.run("backup", "enable", "--email", address)
    assert interrupted.returncode == 1
    assert "No input" in interrupted.stderr
    assert "Email verified" in phone.ok("verify", server.code(address, 1))
    enabled = phone.ok("backup", "enable", stdin=f"1234\n{PASSCODE}\n{PASSCODE}\n")
    assert "1 account backed up" in enabled
    assert PASSCODE not in enabled

    phone.ok("add", QUIP)  # backed up automatically after the command
    status = phone.ok("backup", "status")
    assert "Pending:      no" in status
    listed = phone.ok("backup", "versions").strip().splitlines()
    assert len(listed) == 2
    assert listed[0].endswith("2 accounts  +Quip: me")
    assert listed[1].endswith("1 account")

    laptop = device_factory("laptop")
    waiting = laptop.run("transfer", "--email", address)
    assert waiting.returncode == 1
    mails = len(server.mails(address))
    opened = laptop.ok("open", server.deep_link(address, mails))
    assert "otpkeep transfer" in opened
    moved = laptop.run("transfer", stdin=f"111999\n{PASSCODE}\n")
    assert moved.returncode == 0, moved.stderr
    assert "9 tries left" in moved.stderr
    assert "2 accounts arrived" in moved.stdout
    at = "1700000000"
    assert laptop.ok("code", "Heroku", "--at", at) == phone.ok("code", "Heroku", "--at", at)


def test_wrong_passcodes_until_input_ends_exit_non_zero(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """A transfer whose passcodes run out of input ends with a non-zero exit and a sentence."""
    address = email()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    phone.run("backup", "enable", "--email", address)
    phone.ok("verify", server.code(address, 1))
    phone.ok("backup", "enable", stdin=f"{PASSCODE}\n{PASSCODE}\n")
    tablet = device_factory("tablet")
    tablet.run("transfer", "--email", address)
    tablet.ok("verify", server.code(address, len(server.mails(address))))
    result = tablet.run("transfer", stdin="111999\n")
    assert result.returncode == 1
    assert "tries left" in result.stderr
    assert "No input" in result.stderr


def test_offline_change_is_kept_and_uploaded_by_the_next_change(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """An edit made offline succeeds locally and goes up with the next change."""
    address = email()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    phone.run("backup", "enable", "--email", address)
    phone.ok("verify", server.code(address, 1))
    phone.ok("backup", "enable", stdin=f"{PASSCODE}\n{PASSCODE}\n")
    server.stop()
    try:
        offline = phone.run("add", QUIP)
        assert offline.returncode == 0
        assert offline.stderr == "otpkeep: 1 change waits to be backed up (service unreachable).\n"
        assert "Pending:      yes" in phone.run("backup", "status").stdout
        assert "Backup failed" in phone.run("notifications").stdout
    finally:
        server.start()
    phone.ok("list")  # only reads: the change still waits
    assert "Pending:      yes" in phone.ok("backup", "status")
    phone.ok("remove", "Quip", "--yes")
    assert "Pending:      no" in phone.ok("backup", "status")
