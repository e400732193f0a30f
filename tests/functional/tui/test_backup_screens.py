"""An enabled backup against a real in-process service: sync, versions, devices, check-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Input, OptionList
from tui_support import (
    GITHUB,
    HEROKU,
    NOW,
    PASSCODE,
    enable_directly,
    fill,
    said,
    settle,
    type_text,
)

from otpkeep.device.backup.state import load_state
from otpkeep.tui.screens.checkin import CheckInScreen
from otpkeep.tui.screens.devices import DevicesScreen
from otpkeep.tui.screens.notifications import NotificationsScreen
from otpkeep.tui.screens.versions import VersionsScreen
from otpkeep.tui.widgets.header import NotificationsIcon

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.pilot import Pilot

    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

pytestmark = pytest.mark.anyio

FOUR_DAYS = 4 * 24 * 3600


def options(app: OtpkeepApp, selector: str) -> list[str]:
    """The prompts of an option list on the current screen."""
    listed = app.screen.query_one(selector, OptionList)
    return [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]


async def open_setting(pilot: Pilot[None], downs: int) -> None:
    await pilot.press("s")
    await settle(pilot)
    await pilot.press(*["down"] * downs, "enter")
    await settle(pilot)


async def test_a_deletion_is_backed_up_and_an_older_version_brings_it_back(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Deleting uploads version 2 at once; restoring version 1 brings the account back."""
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d", "y")
        await settle(pilot, until=lambda: load_state(vault.load()).last_version == 2)
        assert not load_state(vault.load()).pending

        await open_setting(pilot, 4)
        assert isinstance(app.screen, VersionsScreen)
        await settle(pilot, until=lambda: len(options(app, "#versions")) == 2)
        newest, oldest = options(app, "#versions")
        assert newest.startswith("v2 ")
        assert newest.endswith(f"UTC  1 account  removed {GITHUB.label}")
        assert oldest.startswith("v1 ")
        assert oldest.endswith("UTC  2 accounts")
        await pilot.press("down", "enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, until=lambda: said(app).startswith("Restored"))
        assert said(app) == "Restored 1 account from version 1."
    labels = {s.account.label for s in vault.load().live() if s.account is not None}
    assert labels == {GITHUB.label, HEROKU.label}


async def test_devices_lists_this_device(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Devices shows the devices holding a session, this one marked."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_setting(pilot, 5)
        assert isinstance(app.screen, DevicesScreen)
        await settle(pilot, until=lambda: bool(options(app, "#devices")))
        assert options(app, "#devices")[0].startswith("phone (this device)  last seen ")


async def test_a_device_is_renamed_from_devices_and_the_service_keeps_the_name(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """``r`` asks for a name in place; Enter saves it and the list shows it from the service."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_setting(pilot, 5)
        await settle(pilot, until=lambda: bool(options(app, "#devices")))
        await pilot.press("r")
        await settle(pilot)
        field = app.screen.query_one("#rename", Input)
        assert field.has_focus
        assert field.value == "phone"
        field.value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert said(app) == "Give the device a name."
        await type_text(pilot, "Ana's laptop")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).startswith("Renamed"))
        assert said(app) == "Renamed to Ana's laptop."
        assert options(app, "#devices")[0].startswith("Ana's laptop (this device)  last seen ")
        assert not field.display
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await open_setting(pilot, 5)
        await settle(pilot, until=lambda: bool(options(app, "#devices")))
        assert options(app, "#devices")[0].startswith("Ana's laptop (this device)")


async def test_the_passcode_check_in_is_a_notification_that_checks_the_passcode(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Days after the passcode was set, a check-in appears; a wrong passcode is said in place."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    app = online(clock=lambda: NOW + FOUR_DAYS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(NotificationsIcon).unread >= 1
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NotificationsScreen)
        titles = [prompt.splitlines()[0] for prompt in options(app, "#notices")]
        index = titles.index("Do you remember your backup passcode?")
        app.screen.query_one("#notices", OptionList).highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CheckInScreen)

        await type_text(pilot, "246813")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app) != "" and said(app) != "Checking…")
        assert said(app).startswith("That is not your backup passcode.")

        app.screen.query_one("#passcode", Input).value = PASSCODE
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).startswith("That is your backup passcode"))
    checkin = load_state(vault.load()).checkin
    assert checkin is not None
    assert checkin.next_due > NOW + FOUR_DAYS
