"""The backup flows driven by keys against a real in-process service: enable, cancel, link."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Label
from tui_support import EMAIL, GITHUB, HEROKU, PASSCODE, fill, ready, said, settle, type_text

from otpkeep.device.backup.state import load_state
from otpkeep.device.flows.verify import confirm_pending, parse_link
from otpkeep.tui.draft import Step
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.settings import SettingsScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.pilot import Pilot

    from conftest import ServiceHarness
    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp

pytestmark = pytest.mark.anyio


def field(app: OtpkeepApp) -> str:
    """What the current step's field holds."""
    value: str = app.screen.query_one("#answer").value  # type: ignore[attr-defined]
    return value


async def open_backup(pilot: Pilot[OtpkeepApp]) -> None:
    """Settings, then Back Up Accounts (the first item)."""
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot, until=lambda: ready(pilot.app, EmailStep))


async def send_code(pilot: Pilot[OtpkeepApp]) -> None:
    """Open the backup flow, enter the email, Send Code: the code step is shown."""
    await open_backup(pilot)
    await type_text(pilot, EMAIL)
    await pilot.press("enter")
    await settle(pilot, until=lambda: ready(pilot.app, CodeStep))


async def test_enable_backup_from_email_to_done(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Email, Send Code, the emailed code, a refused passcode, the passcode twice: backup is on."""
    fill(vault, GITHUB, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        assert said(app).startswith("A code was sent to a***@example.com")

        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))

        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).endswith("Choose another passcode."))
        assert isinstance(app.screen, PasscodeStep)
        assert app.screen.step.value == "passcode"

        await pilot.press(*["backspace"] * 4)
        await type_text(pilot, PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Step.PASSCODE_AGAIN))
        await type_text(pilot, PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        outcome = str(app.screen.query_one("DoneScreen Vertical Static:last-of-type").content)  # type: ignore[attr-defined]
        assert outcome.startswith(f"Backup is on for {EMAIL}: 2 accounts backed up (version 1).")

        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, SettingsScreen))
        assert str(app.screen.query_one("#status").content).startswith(f"Backup is on for {EMAIL}.")  # type: ignore[attr-defined]
    state = load_state(vault.load())
    assert state.enabled
    assert state.email == EMAIL
    assert state.last_version == 1


async def test_back_and_cancel_midway_keep_what_was_typed(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Back from the code returns to the typed email; Cancel and reopen resume at the code."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        await type_text(pilot, "12")

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EmailStep)
        assert field(app) == EMAIL

        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert field(app) == "12"
        assert said(app).startswith("Enter the code sent to a***@example.com")

        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert not load_state(vault.load()).enabled

        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert field(app) == "12"
        await pilot.press("escape")
        await settle(pilot)
        assert field(app) == EMAIL
    assert len(service.mails(EMAIL)) == 1, "going back and forth sent no second code"


async def test_a_wrong_code_is_said_in_place(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """A wrong code keeps the code step open with the service's sentence; the right one passes."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        right = service.code(EMAIL)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        await type_text(pilot, wrong)
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).startswith("That code is not right"))
        assert isinstance(app.screen, CodeStep)
        app.screen.query_one("#answer").value = right  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))


async def test_the_emailed_link_completes_the_code_step_in_the_running_app(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """`otpkeep open LINK` confirms the code elsewhere; the waiting app moves on by itself."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)

        pending = load_state(vault.load()).verification
        assert pending is not None
        code = service.code(EMAIL)
        link = f"otpkeep://verify?id={pending.verification_id}&code={code}"
        verification_id, typed = parse_link(link)
        # What `otpkeep open LINK` does in its own process: confirm the pending code.
        confirm_pending(app.context.flow(), typed, verification_id=verification_id)

        await settle(pilot, until=lambda: ready(app, PasscodeStep))
    state = load_state(vault.load())
    assert state.session_token
    assert state.scope == "setup"


async def test_the_link_pasted_into_the_code_field_verifies(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Pasting the otpkeep://verify link where the code goes works like typing the code."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        pending = load_state(vault.load()).verification
        assert pending is not None
        link = f"otpkeep://verify?id={pending.verification_id}&code={service.code(EMAIL)}"
        app.screen.query_one("#answer").value = link  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))


async def test_without_an_ecosystem_account_the_gate_says_so_in_place(
    vault: Vault, online: Callable[..., OtpkeepApp]
) -> None:
    """With no account of the ecosystem, Back Up Accounts explains in one sentence."""
    fill(vault, GITHUB)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_backup(pilot)
        assert said(app).startswith("Backup needs an account of Salesforce.com")
        assert "Traceback" not in said(app)


async def test_enable_backups_in_notifications_starts_the_backup_flow(
    vault: Vault, online: Callable[..., OtpkeepApp]
) -> None:
    """While the gate is open, Notifications offers Enable Backups; Enter opens its first step."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, EmailStep))
        assert app.screen.query_one(".screen-title", Label).content == "Back Up Accounts"
