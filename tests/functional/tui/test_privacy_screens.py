"""Your data at the service: what it holds, a copy saved in the device folder, the deletion."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Label, Static
from tui_support import EMAIL, HEROKU, enable_directly, fill, said, settle

from otpkeep.device.backup.state import BackupState
from otpkeep.device.flows.privacy import DELETE_QUESTION
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.privacy import PrivacyScreen

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from textual.app import App
    from textual.pilot import Pilot

    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

pytestmark = pytest.mark.anyio


def export_lines(app: App[Any]) -> list[str]:
    """The lines of the export on the privacy screen."""
    return str(app.screen.query_one("#lines", Static).content).splitlines()


def copies(home: Path) -> list[Path]:
    """The copies of the export saved in the device folder."""
    return [path for path in home.iterdir() if path.name.startswith("service-data-")]


def read(path: Path) -> tuple[int, str]:
    """A file's permission bits and text."""
    return path.stat().st_mode & 0o777, path.read_text(encoding="utf-8")


async def open_privacy(pilot: Pilot[None]) -> None:
    """Settings → Your data at the service, until what the service holds is shown (or why not)."""
    app = pilot.app
    await pilot.press("s")
    await settle(pilot)
    await pilot.press(*["down"] * 6, "enter")
    await settle(pilot, until=lambda: isinstance(app.screen, PrivacyScreen))
    await settle(pilot, until=lambda: bool(export_lines(app)) or bool(said(app)))


async def test_the_export_is_shown_saved_and_the_account_deleted(
    home: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """The screen lists what is stored; Save writes it whole; Delete, confirmed, ends backup."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_privacy(pilot)
        lines = export_lines(app)
        assert lines[0].startswith("Account ")
        assert f"for {EMAIL}" in lines[0]
        assert "Backup versions: 1 (sealed: only your devices can open them)." in lines

        await pilot.click("#save")
        await settle(pilot, until=lambda: said(app).startswith("Saved a copy to "))
        saved = copies(home)
        assert len(saved) == 1
        assert said(app) == f"Saved a copy to {saved[0]}."
        mode, text = read(saved[0])
        assert mode == 0o600
        assert json.loads(text)["email"] == EMAIL

        await pilot.click("#delete")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmScreen))
        assert str(app.screen.query_one(Label).content) == DELETE_QUESTION
        await pilot.press("y")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        assert isinstance(app.screen, DoneScreen)
        assert app.screen.outcome.startswith("Your account at the backup service is deleted")
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, PrivacyScreen) and bool(said(app)))
        assert said(app) == (
            "Backup is off on this device. Settings → Back Up Accounts turns it on."
        )
        assert export_lines(app) == []
    state = vault.load().state.get(BackupState)
    assert not state.enabled
    assert not state.session_token


async def test_declining_the_deletion_changes_nothing(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Cancel on the question keeps the account, the backup and the screen as they were."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_privacy(pilot)
        await pilot.click("#delete")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot, until=lambda: isinstance(app.screen, PrivacyScreen))
        await settle(pilot, until=lambda: bool(export_lines(app)))
    assert vault.load().state.get(BackupState).enabled


async def test_with_backup_off_the_screen_says_where_to_turn_it_on(
    vault: Vault, online: Callable[..., OtpkeepApp]
) -> None:
    """No backup, nothing at the service: the screen says so, in the app's words."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(100, 40)) as pilot:
        await open_privacy(pilot)
        assert said(app) == (
            "Backup is off on this device. Settings → Back Up Accounts turns it on."
        )
        assert app.screen.query_one("#save").disabled
