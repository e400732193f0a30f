"""Settings flows driven by keys against a real in-process service: transfer, email, passcode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Button, Input, Label, Static
from tui_support import (
    EMAIL,
    GITHUB,
    HEROKU,
    PASSCODE,
    enable_directly,
    fill,
    ready,
    said,
    session_for,
    settle,
    type_text,
)

from flowscript import Script
from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.backup.state import BackupState
from otpkeep.device.flows.passcode import check_in
from otpkeep.device.flows.settings import DISABLE_QUESTION
from otpkeep.device.flows.steps import Ask
from otpkeep.device.vault import Vault
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.settings import SettingsScreen

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from textual.pilot import Pilot
    from textual.screen import Screen

    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

pytestmark = pytest.mark.anyio

NEW_EMAIL = "alice@example.org"


async def open_setting(pilot: Pilot[None], downs: int, first: type[Screen[Any]]) -> None:
    """Settings, the item ``downs`` below the first, and wait for its first step."""
    await pilot.press("s")
    await settle(pilot)
    await pilot.press(*["down"] * downs, "enter")
    await settle(pilot, until=lambda: ready(pilot.app, first))


def outcome(app: OtpkeepApp) -> str:
    assert isinstance(app.screen, DoneScreen)
    return app.screen.outcome


async def test_transfer_brings_every_account_after_a_wrong_passcode(
    tmp_path: Path, vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """On a new device: email, code, a wrong passcode (tries left in place), the right one."""
    phone = Vault(tmp_path / "phone", keystore="file", on_change=pending_hook(tmp_path / "phone"))
    fill(phone, GITHUB, HEROKU)
    enable_directly(phone, service)

    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 3, EmailStep)
        await type_text(pilot, EMAIL)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))
        assert str(app.screen.query_one("#next", Button).label) == "Transfer"

        await type_text(pilot, "246813")
        await pilot.press("enter")
        await settle(pilot, until=lambda: "tries left" in said(app))
        assert said(app) == "That passcode is not right: 9 tries left."

        app.screen.query_one("#answer", Input).value = PASSCODE
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        assert outcome(app).startswith(f"2 accounts arrived from the backup of {EMAIL}")
    arrived = {s.account.label for s in vault.load().live() if s.account is not None}
    assert arrived == {GITHUB.label, HEROKU.label}
    assert vault.load().state.get(BackupState).enabled


async def test_change_email_verifies_the_new_address(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Change Email Address: the new address, its code, and the backup follows it."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    old_mails = len(service.mails(EMAIL))

    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 1, EmailStep)
        assert app.screen.query_one(".question", Static).content == "Your new email address"
        await type_text(pilot, NEW_EMAIL)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        await type_text(pilot, service.code(NEW_EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        assert outcome(app) == (
            f"The backup email is now {NEW_EMAIL}. The old address has been told."
        )
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, SettingsScreen))
    assert vault.load().state.get(BackupState).email == NEW_EMAIL
    assert len(service.mails(EMAIL)) > old_mails, "the old address was told"


async def test_change_passcode_shows_the_policy_and_a_mismatch_in_place(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """A guessable passcode and a mismatched repeat are refused in place; then it changes."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    before = vault.load().state.get(BackupState).key_version
    new = "582047"

    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 2, PasscodeStep)
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).endswith("choose another."))
        assert app.screen.query_one("#answer", Input).value == ""

        app.screen.query_one("#answer", Input).value = new
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.PASSCODE_AGAIN))
        await type_text(pilot, "582048")
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.NEW_PASSCODE))
        assert said(app) == "The two passcodes are not the same: enter the passcode again."
        assert app.screen.query_one(".question", Static).content == "Choose a new backup passcode"

        await type_text(pilot, new)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.PASSCODE_AGAIN))
        await type_text(pilot, new)
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
    assert vault.load().state.get(BackupState).key_version > before
    checked = Script(passcode=[new]).run(check_in(session_for(vault, service)))
    assert checked, "the new passcode is the one checked"


async def test_turn_backup_off_asks_the_flows_question_then_deletes_the_backup(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Turn backup off: declined, nothing changes; confirmed, the backup is gone and said so."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 7, ConfirmScreen)
        assert str(app.screen.query_one(Label).content) == DISABLE_QUESTION
        await pilot.press("n")
        await settle(pilot, until=lambda: isinstance(app.screen, SettingsScreen))
        assert vault.load().state.get(BackupState).enabled

        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        assert outcome(app).startswith("Backup is off: the backup and its versions are deleted")
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, SettingsScreen))
        status = str(app.screen.query_one("#status", Static).content)
        assert status.startswith("Backup is off.")

        await pilot.press("enter")  # once more: the flow refuses, in place
        await settle(pilot, until=lambda: said(app) != "")
        assert said(app) == (
            "Backup is already off on this device. Settings → Back Up Accounts turns it on."
        )
    assert not vault.load().state.get(BackupState).enabled
    assert vault.load().live(), "the accounts stay"
