"""The question for the emailed code: answered elsewhere, or given up on and asked anew."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from conftest import HEROKU, LINK, PASSCODE, new_address

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Device, Owner, Server


def test_a_code_confirmed_by_another_command_moves_the_waiting_one_on(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """`otpkeep verify` in another process answers the code question; the passcode follows."""
    address = new_address()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    waiting = phone.start("backup", "enable", "--email", address)
    try:
        waiting.expect("enter it here")
        assert "Email verified" in phone.ok("verify", server.code(address, 1))
        seen = waiting.expect("verified elsewhere")
        assert seen.count("A code was sent") == 1
        assert waiting.process.poll() is None  # now at the passcode question
        waiting.send(PASSCODE)
        waiting.send(PASSCODE)
        assert waiting.finish() == 0, waiting.stderr
    finally:
        waiting.stop()
    assert f"Backup is on for {address}: 1 account backed up (version 1)." in waiting.stdout
    assert "Backup:       on" in phone.ok("backup", "status")


def test_the_link_on_the_landing_page_answers_the_waiting_question(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """`otpkeep open otpkeep://...` from the email's page answers a transfer's code question."""
    address = owner.address
    laptop = device_factory("laptop")
    sent = len(server.mails(address))
    waiting = laptop.start("transfer", "--email", address)
    try:
        waiting.expect("enter it here")
        assert "otpkeep transfer" in laptop.ok("open", server.deep_link(address, sent + 1))
        waiting.expect("verified elsewhere")
        waiting.send(PASSCODE)
        assert waiting.finish() == 0, waiting.stderr
    finally:
        waiting.stop()
    assert "Transfer complete: 1 account arrived." in waiting.stdout


def test_after_too_many_wrong_codes_resend_sends_a_new_code_that_works(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """Five wrong codes end the question; the next run starts afresh, --resend mails anew."""
    address = new_address()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    wrong = "\n".join(["000000"] * 5) + "\n"
    dead = phone.run("backup", "enable", "--email", address, stdin=wrong)
    assert dead.returncode == 1
    assert dead.stderr.count("That code is not right") == 5
    last = dead.stderr.splitlines()[-1]
    assert last == (
        "otpkeep: Too many wrong codes: ask for a new code. Run the command that sent the "
        "code again with `--resend` for a new one."
    )
    assert len(server.mails(address)) == 1

    fresh = phone.start("backup", "enable", "--email", address, "--resend")
    try:
        fresh.expect("enter it here")
        assert "Enter the code sent to" not in fresh.stderr  # not the dead question again
        fresh.send(server.code(address, 2))  # from a second mail
        assert len(server.mails(address)) == 2
        fresh.send(PASSCODE)
        fresh.send(PASSCODE)
        assert fresh.finish() == 0, fresh.stderr
    finally:
        fresh.stop()
    assert f"Backup is on for {address}" in fresh.stdout


def _page_link(server: Server, address: str, after: int) -> str:
    """The page's link of the first verification mail to ``address`` after ``after`` mails."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for body in server.mails(address)[after:]:
            found = LINK.search(body)
            if found is not None:
                return found.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no verification mail to {address}")


def test_the_emailed_https_link_verifies_through_open_and_at_the_prompt(
    device_factory: Callable[[str], Device], server: Server
) -> None:
    """The link as the mail shows it (to the service's page) works with `otpkeep open` and
    pasted where the code goes; a link to anywhere else is one sentence and exit 1."""
    address = new_address()
    phone = device_factory("phone")
    phone.ok("add", HEROKU)
    assert phone.run("backup", "enable", "--email", address).returncode == 1
    opened = phone.run("open", _page_link(server, address, 0))
    assert opened.returncode == 0, opened.stderr
    assert "Email verified" in opened.stdout
    phone.ok("backup", "enable", stdin=f"{PASSCODE}\n{PASSCODE}\n")

    other = device_factory("other")
    refused = other.run("open", "https://example.com/login")
    assert refused.returncode == 1
    assert refused.stderr == "otpkeep: That is not a link from an otpkeep verification email.\n"
    before = len(server.mails(address))
    assert other.run("transfer", "--email", address).returncode == 1
    pasted = other.run("transfer", stdin=f"{_page_link(server, address, before)}\n{PASSCODE}\n")
    assert pasted.returncode == 0, pasted.stderr
    assert "Transfer complete: 1 account arrived." in pasted.stdout


def test_a_device_is_renamed_and_every_device_lists_the_new_name(
    owner: Owner, device_factory: Callable[[str], Device], server: Server
) -> None:
    """`otpkeep devices rename ID NAME`: both devices list the new name."""
    address, phone = owner.address, owner.phone
    laptop = device_factory("laptop")
    laptop.transfer(address, PASSCODE)
    mine = next(line for line in phone.ok("devices").splitlines() if "(this device)" in line)
    device_id = mine.split()[0]
    assert phone.ok("devices", "rename", device_id, "Ana's phone").strip() == (
        "The device is now called Ana's phone."
    )
    assert "Ana's phone" in laptop.ok("devices")
    unknown = phone.run("devices", "rename", "not-an-id", "x")
    assert unknown.returncode == 1
    assert "No device of this backup has that id." in unknown.stderr
