"""Snapshots of the app's screens at 80x24 and 120x40, reached by key presses.

Fixed clock, accounts made here, a steady cursor: each frame is the same on every
run. Review a changed snapshot in snapshot_report.html, then accept it with
``pytest --snapshot-update``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from tui_support import (
    BANK,
    EMAIL,
    GITHUB,
    HEROKU,
    PASSCODE,
    SMALL_KDF,
    Ticker,
    Valve,
    enable_directly,
    fill,
    ready,
    said,
    service_time_at_now,
    settle,
    transfer_to_a_wait,
    type_text,
    wrong_passcodes,
)

from otpkeep.device.flows.steps import Ask
from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account, OtpType
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.widgets.header import NotificationsIcon

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from textual.pilot import Pilot

    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


@SIZES
@pytest.mark.parametrize("keys", [(), ("n",), ("s",)], ids=["home", "notifications", "settings"])
def test_main_screens(
    snap_compare: Any,
    vault: Vault,
    build: Callable[..., OtpkeepApp],
    size: tuple[int, int],
    keys: tuple[str, ...],
) -> None:
    """Home (codes, countdowns, the badge), Notifications and Settings look as reviewed."""
    fill(vault, GITHUB, HEROKU, BANK)

    async def drive(pilot: Pilot[Any]) -> None:
        home = pilot.app.screen
        await settle(pilot, until=lambda: home.query_one(NotificationsIcon).unread == 1)
        await pilot.press(*keys)
        await settle(pilot)

    assert snap_compare(build(), terminal_size=size, run_before=drive)


def drive_to(step: str, service: ServiceHarness) -> Callable[[Pilot[Any]], Any]:
    """Key presses from the home screen to ``step`` of Back Up Accounts."""

    async def drive(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, EmailStep))
        if step == "email":
            return
        await type_text(pilot, EMAIL)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        if step == "code":
            return
        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))
        await type_text(pilot, PASSCODE)
        if step == "passcode":
            return
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.PASSCODE_AGAIN))
        await type_text(pilot, PASSCODE)
        if step == "passcode_again":
            return
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))

    return drive


@SIZES
@pytest.mark.parametrize("step", ["email", "code", "passcode", "passcode_again", "done"])
def test_backup_steps(  # noqa: PLR0917 - pytest fixtures and parameters
    snap_compare: Any,
    vault: Vault,
    service: ServiceHarness,
    online: Callable[..., OtpkeepApp],
    size: tuple[int, int],
    step: str,
) -> None:
    """Each step of Back Up Accounts, as reached by typing, looks as reviewed."""
    fill(vault, GITHUB, HEROKU)
    app = online()
    assert snap_compare(app, terminal_size=size, run_before=drive_to(step, service))


@SIZES
@pytest.mark.parametrize("kind", ["totp", "hotp"])
def test_add_form(
    snap_compare: Any, build: Callable[..., OtpkeepApp], size: tuple[int, int], kind: str
) -> None:
    """The typed add form, labels beside fields, for TOTP (period) and HOTP (counter)."""

    async def drive(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.click("#--content-tab-type")
        await settle(pilot)
        if kind == "hotp":
            await pilot.click("#kind")
            await settle(pilot)
            await pilot.press("down", "enter")
            await settle(pilot)
        await pilot.click("#issuer")
        await type_text(pilot, "Acme")
        await pilot.press("enter")  # no secret yet: refused beside the form
        await settle(pilot)

    assert snap_compare(build(), terminal_size=size, run_before=drive)


@SIZES
def test_home_with_many_accounts(
    snap_compare: Any, vault: Vault, build: Callable[..., OtpkeepApp], size: tuple[int, int]
) -> None:
    """2,000 accounts, scrolled a few pages down with the keyboard: codes, countdowns, rules."""
    fill(
        vault,
        *(
            Account(
                issuer=f"Issuer{n:04d}",
                name=f"user{n}@example.com",
                secret=b"%020d" % n,
                type=OtpType.HOTP if n % 7 == 3 else OtpType.TOTP,
                period=60 if n % 5 == 4 else 30,
            )
            for n in range(2000)
        ),
    )
    keys = ("pagedown", "pagedown", "home", *["down"] * 17, "g")
    assert snap_compare(build(), press=keys, terminal_size=size)


@SIZES
def test_notifications_with_the_same_title(  # noqa: PLR0917 - pytest fixtures and parameters
    snap_compare: Any,
    tmp_path: Path,
    vault: Vault,
    service: ServiceHarness,
    online: Callable[..., OtpkeepApp],
    size: tuple[int, int],
) -> None:
    """Three wrong passcodes in one minute: three warnings, each with its tries left."""
    service_time_at_now(service)
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    wrong_passcodes(Vault(tmp_path / "thief", keystore="file"), service, 3)

    async def drive(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)

    assert snap_compare(online(), terminal_size=size, run_before=drive)


@SIZES
def test_passcode_step_busy(
    snap_compare: Any,
    vault: Vault,
    service: ServiceHarness,
    online: Callable[..., OtpkeepApp],
    size: tuple[int, int],
) -> None:
    """The passcode again, submitted: the flow works on, its button off, the field usable."""
    fill(vault, GITHUB, HEROKU)
    valve = Valve(service)
    to_passcode_again = drive_to("passcode_again", service)

    async def drive(pilot: Pilot[Any]) -> None:
        await to_passcode_again(pilot)
        valve.hold()
        await pilot.press("enter")
        await settle(pilot, until=lambda: valve.held.is_set() and said(pilot.app) == TURNING_ON)

    try:
        assert snap_compare(online(connect=valve), terminal_size=size, run_before=drive)
    finally:
        valve.down = True  # the flow stopped with the app: its last call fails
        valve.release()


TURNING_ON = "Turning backup on…"


@SIZES
def test_a_wait_counting_down(
    snap_compare: Any,
    slow_service: ServiceHarness,
    build: Callable[..., OtpkeepApp],
    size: tuple[int, int],
) -> None:
    """A wrong passcode and the service's wait: the seconds left, in the warning tone."""
    ticker = Ticker(slow_service)
    app = build(connect=Valve(slow_service), sleep=ticker, checkin_kdf=SMALL_KDF)

    async def drive(pilot: Pilot[Any]) -> None:
        await transfer_to_a_wait(pilot, slow_service)

    try:
        assert snap_compare(app, terminal_size=size, run_before=drive)
    finally:
        ticker.tick(3)  # the flow stopped with the app: let its thread end
