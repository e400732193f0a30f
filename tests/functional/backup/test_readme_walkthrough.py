"""The README's walkthrough, run command by command as written, on a terminal of its own.

The commands are the README's own lines (each is looked up in README.md, so the test
fails when they drift apart), run in order against a real ``otpkeep-server serve``
process. Only what the README says to fill in is filled in: the service's address
(``make run`` prints ``export OTPKEEP_SERVER=...``; the fixture's service stands in for
``make run``), the code from the mail in the service's mail folder, the passcode typed
where it shows ``****``, ``VERSION`` and ``E``. The synopsis line ``otpkeep backup status |
now | versions | restore VERSION | disable | check-in`` is run one form at a time;
``settings change-email`` and ``backup disable`` run last, after the transfer that needs
the address and the backup they change.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from conftest import BIN, Screen

if TYPE_CHECKING:
    from conftest import Server

README = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
ADDRESS = "alice@example.com"
NEW_ADDRESS = "alice.new@example.com"
PASSCODE = "482915"
NEW_PASSCODE = "730461"


SYNOPSES = {
    "otpkeep backup status [--json] | now [--heal] | versions [--json] | restore VERSION"
    " | disable [--yes] | check-in": (
        "otpkeep backup status",
        "otpkeep backup now",
        "otpkeep backup versions",
        "otpkeep backup restore VERSION",
        "otpkeep backup disable",
        "otpkeep backup check-in",
    ),
    "otpkeep settings change-email [--email E] [--resend]": (
        "otpkeep settings change-email --email E",
    ),
    "otpkeep devices [--json] | devices rename ID NAME | devices revoke ID": ("otpkeep devices",),
    "otpkeep list [--json]": ("otpkeep list",),
    "otpkeep code [QUERY] [--at UNIX_TIME] [--json]": ("otpkeep code --at UNIX_TIME",),
}
"""The README's synopsis lines, and the commands each stands for."""


def readme(line: str, **fill: str) -> list[str]:
    """The README's command ``line`` (as written, or a form of a synopsis), filled in."""
    forms = {form for each in SYNOPSES.values() for form in each}
    if line in forms:
        [synopsis] = [key for key, each in SYNOPSES.items() if line in each]
        assert synopsis in README, f"README.md no longer says: {synopsis}"
    else:
        assert line in README, f"README.md no longer says: {line}"
    words = shlex.split(line, comments=True)
    assert words[0] in {"otpkeep", ".venv/bin/otpkeep"}, line
    return [str(BIN / "otpkeep"), *(fill.get(word, word) for word in words[1:])]


class Person:
    """One device folder at a terminal, pointed at the service as ``make run`` says."""

    def __init__(self, home: Path, server: Server) -> None:
        self.server = server
        self.env = {
            "PATH": f"{BIN}:/usr/bin:/bin",
            "HOME": str(home),
            "OTPKEEP_HOME": str(home / "otpkeep"),
            "OTPKEEP_KEYSTORE": "file",
            "OTPKEEP_SERVER": server.url,
        }
        self.home = home
        self.sent: dict[str, int] = {}

    def start(self, line: str, **fill: str) -> Screen:
        """Start ``line`` on a terminal (the mail sent so far is counted first)."""
        self.sent = {to: len(self.server.mails(to)) for to in (ADDRESS, NEW_ADDRESS)}
        return Screen(readme(line, **fill), env=self.env, cwd=self.home)

    def see(self, line: str, **fill: str) -> str:
        """Run ``line`` to its end with nothing typed; what the terminal showed."""
        screen = self.start(line, **fill)
        assert screen.finish() == 0, screen.shown
        return screen.shown

    def answer_code(self, screen: Screen, to: str) -> None:
        """Type the code of the mail the command sent to ``to`` at the code question."""
        screen.expect("Code from the email: ")
        screen.type(self.server.code(to, self.sent[to] + 1))


def test_the_readme_walkthrough_works_as_written(tmp_path: Path, server: Server) -> None:  # noqa: PLR0915 - one story
    """Quick start, backup, settings and transfer: each README command, each visible result."""
    laptop = Person(tmp_path / "laptop", server)
    (tmp_path / "laptop").mkdir()

    # The two commands: add an account, turn backup on.
    added = laptop.see(
        ".venv/bin/otpkeep add 'otpauth://totp/Heroku:alice@example.com?secret=JBSWY3DPEHPK3PXP"
        "&issuer=Heroku'"
    )
    assert "Added Heroku: alice@example.com" in added
    assert "* Enable Backups" in laptop.see("otpkeep notifications")

    enabling = laptop.start(
        ".venv/bin/otpkeep backup enable --email alice@example.com   # the code is in "
        "./otpkeep-data/mail"
    )
    laptop.answer_code(enabling, ADDRESS)
    enabling.expect("Backup passcode: ")
    enabling.type(PASSCODE)
    enabling.expect("The same passcode again: ")
    enabling.type(PASSCODE)
    assert enabling.finish() == 0, enabling.shown
    assert "Backup is on for alice@example.com: 1 account backed up (version 1)." in (
        enabling.shown
    )
    assert PASSCODE not in enabling.shown

    # The backup's commands, one form of the synopsis at a time.
    assert f"Backup:       on, for {ADDRESS} at {server.url}" in laptop.see("otpkeep backup status")
    assert "Nothing new to upload: version 1 already holds 1 account." in laptop.see(
        "otpkeep backup now"
    )
    assert re.search(
        r"^\s+1\s+\d{4}-\d\d-\d\d ", laptop.see("otpkeep backup versions"), re.MULTILINE
    )
    restored = laptop.see("otpkeep backup restore VERSION", VERSION="1")
    assert "Version 1 holds no account missing on this device." in restored
    checking = laptop.start("otpkeep backup check-in")
    checking.expect("Backup passcode: ")
    checking.type(PASSCODE)
    assert checking.finish() == 0
    assert "That is your backup passcode" in checking.shown

    changing = laptop.start("otpkeep settings change-passcode")
    changing.expect("New backup passcode: ")
    changing.type(NEW_PASSCODE)
    changing.expect("The same passcode again: ")
    changing.type(NEW_PASSCODE)
    assert changing.finish() == 0, changing.shown
    assert "The backup passcode was changed" in changing.shown
    assert "(this device)" in laptop.see("otpkeep devices")
    laptop.see("otpkeep notifications")

    # On a new device.
    (tmp_path / "phone").mkdir()
    phone = Person(tmp_path / "phone", server)
    moving = phone.start("otpkeep transfer --email alice@example.com")
    phone.answer_code(moving, ADDRESS)
    moving.expect("Backup passcode: ")
    moving.type(NEW_PASSCODE)
    assert moving.finish() == 0, moving.shown
    assert "Transfer complete: 1 account arrived." in moving.shown
    assert "  Heroku: alice@example.com" in moving.shown
    assert phone.see("otpkeep list") == laptop.see("otpkeep list")
    at = {"UNIX_TIME": "1700000000"}
    assert "Heroku" in phone.see("otpkeep code --at UNIX_TIME", **at)
    assert phone.see("otpkeep code --at UNIX_TIME", **at) == laptop.see(
        "otpkeep code --at UNIX_TIME", **at
    )

    # The settings that change what the transfer needed, then the end of the backup.
    moving_address = laptop.start("otpkeep settings change-email --email E", E=NEW_ADDRESS)
    laptop.answer_code(moving_address, NEW_ADDRESS)
    assert moving_address.finish() == 0, moving_address.shown
    assert f"The backup's email address is now {NEW_ADDRESS}" in moving_address.shown
    ending = laptop.start("otpkeep backup disable")
    asked = ending.expect("[y/N] ")
    assert "Backup turns off on every device that uses it" in asked
    ending.type("y")
    assert ending.finish() == 0
    assert "backup is off on every device that used it" in ending.shown
