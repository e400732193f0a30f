"""With a change pending and the service away: reading costs nothing, changing tries once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from conftest import QUIP, Listener

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Device, Owner, Server

GITHUB = "otpauth://totp/GitHub:me?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub"
UNREACHABLE_ONE = "otpkeep: 1 change waits to be backed up (service unreachable)."
UNREACHABLE_TWO = "otpkeep: 2 changes wait to be backed up (service unreachable)."


def test_reading_commands_make_no_connection_and_say_one_short_line(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """Offline with a change pending, code/list/export only read: no connection, one line."""
    phone = owner.phone
    server.stop()
    standin = Listener(server.port)
    try:
        added = phone.run("add", QUIP)
        assert added.returncode == 0
        assert added.stdout.startswith("Added Quip")
        assert added.stderr.splitlines() == [UNREACHABLE_ONE]
        assert standin.connections == 1  # tried once: no retries
        for command in (["code"], ["list"], ["code", "Heroku"], ["list", "--json"]):
            result = phone.run(*command)
            assert result.returncode == 0
            assert result.stderr.splitlines() == [UNREACHABLE_ONE], command
            assert len(UNREACHABLE_ONE) <= 80
        exported = phone.run("export", "--format", "otpauth", "-")
        assert exported.stderr.splitlines()[-1] == UNREACHABLE_ONE
        assert standin.connections == 1  # nothing that only reads went to the service

        status = phone.ok("backup", "status")
        assert "Pending:      yes" in status
        assert "Cannot reach the backup service" in status
        assert standin.connections == 1
    finally:
        standin.close()
        server.start()
    # Back online: a read still leaves the upload alone; `backup now` sends it.
    assert phone.run("list").stderr.splitlines() == [UNREACHABLE_ONE]
    assert "Backed up 2 accounts as version 2" in phone.ok("backup", "now")
    assert phone.run("list").stderr == ""


def test_a_change_is_tried_once_quickly_then_backup_now_tells_all(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """Each change offline is one connection and one short line; `backup now` the full error."""
    phone = owner.phone
    server.stop()
    standin = Listener(server.port)
    try:
        first = phone.run("add", QUIP)
        assert first.stderr.splitlines() == [UNREACHABLE_ONE]
        second = phone.run("add", GITHUB)
        assert second.stderr.splitlines() == [UNREACHABLE_TWO]
        assert standin.connections == 2
        used = phone.run("code", "Quip")  # an HOTP code is used: its counter is a change
        assert used.returncode == 0
        assert "#5" in used.stdout
        assert used.stderr.splitlines() == [UNREACHABLE_TWO]  # changed accounts are counted
        assert standin.connections == 3

        now = phone.run("backup", "now")
        assert now.returncode == 1
        assert now.stderr.startswith("otpkeep: Cannot reach the backup service at ")
        assert standin.connections > 3
    finally:
        standin.close()
        server.start()
    moved = phone.run("add", "--issuer", "Tableau", "--name", "me", "--secret", "JBSWY3DPEHPK3PXP")
    assert moved.returncode == 0
    assert moved.stderr == ""  # the upload went through with the change
    assert "Pending:      no" in phone.ok("backup", "status")
