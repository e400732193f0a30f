"""The backup flows driven by keys against a real in-process service: enable, cancel, link."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from textual.widgets import Button, Input, Label, Static
from tui_support import EMAIL, GITHUB, HEROKU, PASSCODE, fill, ready, said, settle, type_text

from otpkeep.device.backup.state import BackupState
from otpkeep.device.flows.steps import Ask
from otpkeep.device.flows.verify import confirm_pending, parse_link
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.form import ErrorLine
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.settings import SettingsScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.pilot import Pilot

    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

pytestmark = pytest.mark.anyio


def field(app: OtpkeepApp) -> str:
    """What the current step's field holds."""
    return app.screen.query_one("#answer", Input).value


def button_off(app: OtpkeepApp) -> bool:
    """The current step's button cannot be pressed (the flow works)."""
    return app.screen.query_one("#next", Button).disabled


async def open_backup(pilot: Pilot[None], until: Callable[[], bool] | None = None) -> None:
    """Settings, then Back Up Accounts (the first item): until its email step asks."""
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot, until=until or (lambda: ready(pilot.app, EmailStep)))


async def send_code(pilot: Pilot[None]) -> None:
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
        assert said(app).startswith(f"A code was sent to {EMAIL}")

        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))

        await type_text(pilot, "1234")
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app).endswith("choose another."))
        assert isinstance(app.screen, PasscodeStep)
        assert app.screen.ask is Ask.PASSCODE
        assert field(app) == "", "a refused passcode leaves the field"

        await type_text(pilot, PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.PASSCODE_AGAIN))
        await type_text(pilot, PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
        outcome = str(app.screen.query_one("#outcome", Static).content)
        assert outcome.startswith(f"Backup is on for {EMAIL}: 2 accounts backed up (version 1).")

        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, SettingsScreen))
        status = str(app.screen.query_one("#status", Static).content)
        assert status.startswith(f"Backup is on for {EMAIL}.")
    state = vault.load().state.get(BackupState)
    assert state.enabled
    assert state.email == EMAIL
    assert state.last_version == 1


async def test_cancel_midway_keeps_what_was_typed(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Cancel at the code closes the flow; reopened, it resumes at the code with what was typed."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        await type_text(pilot, "12")

        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert not vault.load().state.get(BackupState).enabled

        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert field(app) == "12"
        assert said(app) == f"Enter the code sent to {EMAIL} (or open the link in the email)."

        await pilot.click("#cancel")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert field(app) == "12"
    assert len(service.mails(EMAIL)) == 1, "cancelling and reopening sent no second code"


async def test_back_from_the_code_returns_to_the_typed_email(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Back at the code asks the address again, as typed; the same address resumes the code."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        await type_text(pilot, "12")

        await pilot.press("escape")
        await settle(pilot, until=lambda: not ready(app, CodeStep))
        await settle(pilot)
        assert ready(app, EmailStep)
        assert field(app) == EMAIL

        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert field(app) == "12"
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
        app.screen.query_one("#answer", Input).value = right
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

        pending = vault.load().state.get(BackupState).verification
        assert pending is not None
        code = service.code(EMAIL)
        link = f"otpkeep://verify?id={pending.verification_id}&code={code}"
        verification_id, typed = parse_link(link)
        # What `otpkeep open LINK` does in its own process: confirm the pending code.
        confirm_pending(app.context.session, typed, verification_id=verification_id)

        await settle(pilot, until=lambda: ready(app, PasscodeStep))
    state = vault.load().state.get(BackupState)
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
        pending = vault.load().state.get(BackupState).verification
        assert pending is not None
        link = f"otpkeep://verify?id={pending.verification_id}&code={service.code(EMAIL)}"
        app.screen.query_one("#answer", Input).value = link
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))


async def test_without_an_ecosystem_account_the_gate_says_so_in_place(
    vault: Vault, online: Callable[..., OtpkeepApp]
) -> None:
    """With no account of the ecosystem, Back Up Accounts explains in one sentence."""
    fill(vault, GITHUB)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_backup(pilot, until=lambda: said(app).startswith("Backup needs"))
        assert said(app).startswith("Backup needs an account of Salesforce.com")
        assert isinstance(app.screen, EmailStep)
        assert app.screen.query_one(ErrorLine).has_class("-warning")
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


async def test_the_emailed_web_link_pasted_into_the_code_field_verifies(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """The link the email shows (its web page's) works where the code goes, as in the CLI."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        link = service.link(EMAIL)
        assert link.startswith("http")
        assert "/v/" in link
        app.screen.query_one("#answer", Input).value = link
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))


async def test_a_link_that_is_not_the_emails_is_said_in_place(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """A web link the service never sent: the step says so in the warning tone and waits."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        app.screen.query_one("#answer", Input).value = "http://127.0.0.1:8000/v/abc"
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app) != "" and not button_off(app))
        assert said(app) == "That is not a link from an otpkeep verification email."
        assert app.screen.query_one(ErrorLine).has_class("-warning")
        assert ready(app, CodeStep), "the flow still waits for the code"


async def test_back_after_too_many_wrong_codes_sends_a_new_code(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Wrong codes until none is left: Back goes to the address, and Send Code sends a new one."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await send_code(pilot)
        wrong = f"{(int(service.code(EMAIL)) + 1) % 1_000_000:06d}"
        for _ in range(5):
            app.screen.query_one("#answer", Input).value = wrong
            await pilot.press("enter")
            await settle(pilot, until=lambda: said(app) != "" and not button_off(app))
            if said(app).endswith("Go Back to ask for a new code."):
                break
        assert said(app).endswith("ask for a new code. Go Back to ask for a new code.")

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EmailStep)
        assert field(app) == EMAIL
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert said(app).startswith(f"A code was sent to {EMAIL}")
    assert len(service.mails(EMAIL)) == 2
