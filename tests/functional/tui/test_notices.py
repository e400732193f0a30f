"""Notifications as a person meets them: repeated security events, dismissal, the badge."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import OptionList
from tui_support import (
    BANK,
    EMAIL,
    GITHUB,
    HEROKU,
    PASSCODE,
    enable_directly,
    fill,
    ready,
    rows,
    said,
    service_time_at_now,
    session_for,
    settle,
    type_text,
    wrong_passcodes,
)

from faultyapp import faulty_upload
from flowscript import Script
from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.backup.state import BackupState
from otpkeep.device.flows.settings import devices, revoke_device
from otpkeep.device.flows.steps import Ask
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.vault import Vault
from otpkeep.errors import DamagedBackupError
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.devices import DevicesScreen
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.home import HomeScreen
from otpkeep.tui.screens.notifications import NotificationsScreen
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.widgets.header import NotificationsIcon

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

pytestmark = pytest.mark.anyio

NEW_PASSCODE = "573920"


def listed(app: OtpkeepApp) -> list[str]:
    """Each notification on the screen, its lines joined by a space."""
    options = app.screen.query_one("#notices", OptionList)
    prompts = (options.get_option_at_index(i).prompt for i in range(options.option_count))
    return [str(prompt).replace("\n", " ") for prompt in prompts]


def badge(app: OtpkeepApp) -> int:
    """The number on the home screen's Notifications badge."""
    return app.screen.query_one(NotificationsIcon).unread


async def test_three_wrong_passcodes_in_one_minute_are_three_notifications(
    tmp_path: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Three failures with the same title each get a line, with the tries left, and no crash."""
    service_time_at_now(service)
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    wrong_passcodes(Vault(tmp_path / "thief", keystore="file"), service, 3)
    app = online()
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        title = "Wrong passcode entered (2023-11-14 22:13 UTC)"
        await settle(pilot, until=lambda: any(line.startswith(title) for line in listed(app)))
        wrong = [line for line in listed(app) if line.startswith(title)]
        assert [line.split("Tries left: ")[1] for line in wrong] == ["7.", "8.", "9."]


async def test_the_badge_counts_events_found_by_the_periodic_check(
    tmp_path: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Wrong passcodes made while the app runs show on the badge after the next online check."""
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = badge(app)
        home = app.screen
        assert isinstance(home, HomeScreen)
        home.online_every = 1  # the check runs every five minutes; here, on the next tick
        wrong_passcodes(Vault(tmp_path / "thief", keystore="file"), service, 2)
        await settle(pilot, until=lambda: badge(app) >= before + 2)
        after = badge(app)
        home.online_every = 10_000
        fill(vault, BANK)  # the vault changes: the home screen reloads, the count stays
        await settle(pilot, until=lambda: len(rows(app)) == 3)
        assert badge(app) == after


async def test_a_dismissed_notification_stays_dismissed_after_a_restart(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """x dismisses Enable Backups; a new run of the app neither lists it nor counts it."""
    fill(vault, HEROKU)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert badge(app) == 1
        await pilot.press("n")
        await settle(pilot)
        assert listed(app)[0].startswith("Enable Backups")
        await pilot.press("x")
        await settle(pilot)
        assert listed(app) == ["Nothing new."]
        await pilot.press("escape")
        await settle(pilot)
        assert badge(app) == 0
    again = build()
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert badge(again) == 0
        await pilot.press("n")
        await settle(pilot)
        assert listed(again) == ["Nothing new."]


async def test_a_dismissed_notification_comes_back_when_it_applies_again(
    tmp_path: Path, build: Callable[..., OtpkeepApp]
) -> None:
    """Enable Backups dismissed, then no longer true (no ecosystem account), then true again."""
    vault = Vault(tmp_path / "device", keystore="file", on_change=pending_hook(tmp_path / "device"))
    fill(vault, HEROKU)
    app = build()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("x", "escape")
        await settle(pilot)
        assert badge(app) == 0
        await pilot.press("d", "y")  # the only ecosystem account goes: the gate closes
        await settle(pilot, until=lambda: not vault.load().live())
        await pilot.pause(1.2)
        fill(vault, HEROKU)  # and comes back, from another process
        await settle(pilot, until=lambda: badge(app) == 1)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NotificationsScreen)
        assert listed(app)[0].startswith("Enable Backups")


async def test_notifications_say_what_to_do_in_the_app_not_on_the_command_line(
    vault: Vault, build: Callable[..., OtpkeepApp]
) -> None:
    """Enable Backups names the app's way (Enter, Settings → Back Up Accounts), no command."""
    fill(vault, HEROKU)
    app = build()
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert listed(app) == [
            (
                "Enable Backups Back up your accounts (Heroku is connected). "
                "Enter: turn backup on (also in Settings → Back Up Accounts)"
            )
        ]
        assert "otpkeep" not in " ".join(listed(app))


async def test_after_a_flow_the_badge_counts_what_the_service_now_reports(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Change backup passcode done: back home, the badge counts the service's new event."""
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = badge(app)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))
        await type_text(pilot, NEW_PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.PASSCODE_AGAIN))
        await type_text(pilot, NEW_PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        await pilot.press("enter", "escape")
        await settle(pilot, until=lambda: isinstance(app.screen, HomeScreen))
        await settle(pilot, until=lambda: badge(app) == before + 1)
        await pilot.press("n")
        await settle(pilot)
        assert any(line.startswith("Backup passcode changed") for line in listed(app))


async def test_a_signed_out_device_signs_in_again_from_its_notification(
    tmp_path: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Removed by another device: the notification says so; Enter verifies and signs it in."""
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    phone = Vault(tmp_path / "phone", keystore="file", on_change=pending_hook(tmp_path / "phone"))
    Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE]).run(
        transfer(session_for(phone, service), EMAIL)
    )
    other = next(d for d in devices(session_for(phone, service)) if not d.current)
    revoke_device(session_for(phone, service), str(other.id))

    app = online()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, until=lambda: bool(vault.load().state.get(BackupState).signed_out))
        await pilot.press("n")
        title = "This device is signed out of the backup"
        await settle(pilot, until=lambda: any(line.startswith(title) for line in listed(app)))
        line = next(line for line in listed(app) if line.startswith(title))
        assert line.endswith(
            "Enter: sign this device in again (also in Settings → Back Up Accounts)"
        )
        notices = app.screen.query_one("#notices", OptionList)
        notices.highlighted = listed(app).index(line)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert said(app).startswith(f"A code was sent to {EMAIL}")
        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        assert isinstance(app.screen, DoneScreen)
        assert app.screen.outcome.startswith(f"This device is signed in to the backup of {EMAIL}")
    state = vault.load().state.get(BackupState)
    assert state.enabled
    assert not state.signed_out


async def test_enter_on_a_device_event_opens_the_devices(
    tmp_path: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """A device added to the backup is a notification whose Enter lists the devices."""
    service_time_at_now(service)
    fill(vault, GITHUB, HEROKU)
    enable_directly(vault, service)
    phone = Vault(tmp_path / "phone", keystore="file", on_change=pending_hook(tmp_path / "phone"))
    Script(code=[lambda: service.code(EMAIL)], passcode=[PASSCODE]).run(
        transfer(session_for(phone, service), EMAIL)
    )
    app = online()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        title = "Backup transferred to a new device"
        await settle(pilot, until=lambda: any(line.startswith(title) for line in listed(app)))
        line = next(line for line in listed(app) if line.startswith(title))
        assert line.endswith("Enter: see the devices (also in Settings → Devices)")
        app.screen.query_one("#notices", OptionList).highlighted = listed(app).index(line)
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DevicesScreen))


async def test_a_version_that_cannot_be_opened_is_healed_from_its_notification(
    tmp_path: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Another device stored accounts, then a faulty app a version nobody can open: the
    notification names it, and Enter, once confirmed, uploads over it with nothing lost."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    other = session_for(Vault(tmp_path / "other", keystore="file"), service, name="tablet")
    Script(email=[EMAIL], code=[lambda: service.code(EMAIL)], passcode=[PASSCODE]).run(
        transfer(other)
    )
    with other.vault.transaction() as data:
        data.add(GITHUB, 10)
    other.sync()
    damaged = faulty_upload(other)
    with vault.transaction() as data:
        data.add(BANK, 20)
    with pytest.raises(DamagedBackupError):  # this device lacks GitHub: it will not heal alone
        session_for(vault, service).sync()
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot, until=lambda: isinstance(app.screen, NotificationsScreen))
        await settle(pilot, until=lambda: any("cannot be opened" in line for line in listed(app)))
        titles = [line for line in listed(app) if "cannot be opened" in line]
        assert titles[0].startswith(f"Backup version {damaged} cannot be opened")
        assert titles[0].endswith("Enter: upload this device's accounts in its place")
        options = app.screen.query_one("#notices", OptionList)
        options.highlighted = listed(app).index(titles[0])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot, until=lambda: said(app).startswith("Backed up"))
        assert said(app) == f"Backed up: version {damaged + 1}, in place of version {damaged}."
    assert vault.load().state.get(BackupState).damaged is None
    labels = {s.account.label for s in vault.load().live() if s.account is not None}
    assert labels == {GITHUB.label, HEROKU.label, BANK.label}
