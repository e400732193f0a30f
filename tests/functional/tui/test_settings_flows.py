"""Settings flows driven by keys against a real in-process service: transfer, email, passcode."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from tui_support import (
    EMAIL,
    GITHUB,
    HEROKU,
    PASSCODE,
    enable_directly,
    fill,
    flows_for,
    ready,
    said,
    settle,
    type_text,
)

from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.backup.state import load_state
from otpkeep.device.flows.passcode import check_in
from otpkeep.device.vault import Vault
from otpkeep.tui.draft import Draft, DraftPrompter, Step
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.settings import SettingsScreen

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from textual.pilot import Pilot
    from textual.screen import Screen

    from conftest import ServiceHarness
    from otpkeep.tui.app import OtpkeepApp

pytestmark = pytest.mark.anyio

NEW_EMAIL = "alice@example.org"


async def open_setting(pilot: Pilot[OtpkeepApp], downs: int, first: type[Screen[Any]]) -> None:
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
        assert app.screen.query_one("#next").label.plain == "Transfer"  # type: ignore[attr-defined]

        await type_text(pilot, "246813")
        await pilot.press("enter")
        await settle(pilot, until=lambda: "tries left" in said(app))
        assert said(app) == "That passcode is not right: 9 tries left."

        app.screen.query_one("#answer").value = PASSCODE  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        assert outcome(app).startswith(f"2 accounts arrived from the backup of {EMAIL}")
    arrived = {s.account.label for s in vault.load().live() if s.account is not None}
    assert arrived == {GITHUB.label, HEROKU.label}
    assert load_state(vault.load()).enabled


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
    assert load_state(vault.load()).email == NEW_EMAIL
    assert len(service.mails(EMAIL)) > old_mails, "the old address was told"


async def test_change_passcode_shows_the_policy_and_a_mismatch_in_place(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """A guessable passcode and a mismatched repeat are refused in place; then it changes."""
    fill(vault, HEROKU)
    enable_directly(vault, service)
    before = load_state(vault.load()).key_version
    new = "582047"

    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 2, PasscodeStep)
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).endswith("Choose another passcode."))

        app.screen.query_one("#answer").value = new  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Step.PASSCODE_AGAIN))
        await type_text(pilot, "582048")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app) != "" and not said(app).startswith("Working"))
        assert said(app) == "The two passcodes are not the same: try again."
        assert getattr(app.screen, "step", None) is Step.PASSCODE_AGAIN

        app.screen.query_one("#answer").value = new  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
    assert load_state(vault.load()).key_version > before
    checked = DraftPrompter(Draft(passcode=new))
    assert check_in(flows_for(vault, service, checked)), "the new passcode is the one checked"
