"""How a flow's steps behave while it works, waits, fails and is left, against a real service."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Button, Input
from tui_support import (
    EMAIL,
    HEROKU,
    PASSCODE,
    SMALL_KDF,
    UNREACHABLE,
    WAIT,
    Ticker,
    Valve,
    fill,
    open_setting,
    ready,
    said,
    settle,
    to_step,
    transfer_to_a_wait,
    type_text,
)

from otpkeep.device.backup.state import BackupState
from otpkeep.device.flows.steps import Ask
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.form import ErrorLine
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.settings import SettingsScreen
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

pytestmark = pytest.mark.anyio


def field(app: OtpkeepApp) -> str:
    """What the current step's field holds."""
    return app.screen.query_one("#answer", Input).value


def enabled(app: OtpkeepApp) -> dict[str, bool]:
    """Which buttons of the current step can be pressed, by id."""
    return {str(b.id): not b.disabled for b in app.screen.query(Button)}


def tone(app: OtpkeepApp) -> str:
    """The tone of the current screen's sentence: warning, progress, success or error."""
    line = app.screen.query_one(ErrorLine)
    for name in ("warning", "progress", "success"):
        if line.has_class(f"-{name}"):
            return name
    return "error"


def says(app: OtpkeepApp, sentence: str) -> Callable[[], bool]:
    """Whether the current screen's error line says ``sentence`` (a condition to wait for)."""
    return lambda: said(app) == sentence


def flow_ended(app: OtpkeepApp, key: str) -> bool:
    """The thread of the app's flow ``key`` has ended."""
    runner = app.runners.get(key)
    return runner is not None and runner.thread is not None and not runner.thread.is_alive()


async def test_a_busy_step_keeps_what_is_typed_and_turns_off_only_its_button(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """While the flow asks the service, the field takes typing; only Send Code is off."""
    fill(vault, HEROKU)
    valve = Valve(service)
    valve.hold()
    app = online(connect=valve)
    async with app.run_test(size=(80, 24)) as pilot:
        busy = "Asking the service which accounts open backup…"
        await open_setting(pilot, 0, until=lambda: valve.held.is_set() and said(app) == busy)
        assert isinstance(app.screen, EmailStep)
        assert tone(app) == "progress"
        assert enabled(app) == {"back": True, "cancel": True, "next": False}
        await type_text(pilot, EMAIL)
        assert field(app) == EMAIL

        valve.release()
        await settle(pilot, until=lambda: ready(app, EmailStep))
        assert field(app) == EMAIL, "what was typed while busy stays"
        assert enabled(app)["next"]
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        assert said(app).startswith(f"A code was sent to {EMAIL}")


async def test_a_wait_counts_down_in_the_warning_tone_then_asks_again(
    vault: Vault, slow_service: ServiceHarness, build: Callable[..., OtpkeepApp]
) -> None:
    """After a wrong passcode the step counts the service's wait down, amber, then asks again."""
    ticker = Ticker(slow_service)
    app = build(connect=Valve(slow_service), sleep=ticker, checkin_kdf=SMALL_KDF)
    async with app.run_test(size=(80, 24)) as pilot:
        await transfer_to_a_wait(pilot, slow_service)
        assert ticker.slept == 0
        assert tone(app) == "warning"
        assert enabled(app) == {"back": True, "cancel": True, "next": False}
        for left in ("2 seconds", "1 second"):
            ticker.tick()
            await settle(pilot, until=says(app, f"{WAIT} {left} left."))
            assert tone(app) == "warning"
        ticker.tick()
        await settle(pilot, until=lambda: ready(app, PasscodeStep))
        assert said(app) == "That passcode is not right: 9 tries left."
        assert tone(app) == "warning"

        await type_text(pilot, PASSCODE)
        await pilot.press("enter")
        await settle(pilot, until=lambda: isinstance(app.screen, DoneScreen))
    assert ticker.slept == 3
    assert vault.load().state.get(BackupState).enabled


async def test_cancel_during_a_wait_stops_the_flow(
    vault: Vault, slow_service: ServiceHarness, build: Callable[..., OtpkeepApp]
) -> None:
    """Ctrl+G while the wait counts down closes the steps; the flow ends without asking again."""
    ticker = Ticker(slow_service)
    app = build(connect=Valve(slow_service), sleep=ticker, checkin_kdf=SMALL_KDF)
    async with app.run_test(size=(80, 24)) as pilot:
        await transfer_to_a_wait(pilot, slow_service)
        assert ticker.slept == 0
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        ticker.tick()
        await settle(pilot, until=lambda: flow_ended(app, "transfer"))
        assert ticker.slept == 1, "the wait stopped at the next second"
        assert isinstance(app.screen, SettingsScreen)
        assert not any(isinstance(s, StepScreen) for s in app.screen_stack)
    assert not vault.load().state.get(BackupState).enabled


async def test_back_where_the_flow_takes_no_back_leaves_the_flow(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Escape at the first passcode (no step before it in the flow) leaves; reopened, it resumes."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 0, until=lambda: ready(app, EmailStep))
        await to_step(pilot, CodeStep, EMAIL)
        await to_step(pilot, PasscodeStep, service.code(EMAIL))
        screen = app.screen
        assert isinstance(screen, StepScreen)
        assert screen.question is not None
        assert not screen.question.back

        await pilot.press("escape")
        await settle(pilot, until=lambda: flow_ended(app, "enable"))
        assert isinstance(app.screen, SettingsScreen)
        assert not any(isinstance(s, StepScreen) for s in app.screen_stack)

        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep, Ask.PASSCODE))
    assert len(service.mails(EMAIL)) == 1, "the verified address was kept: no new code"


async def test_an_error_then_the_button_again_resumes_the_flow(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """The service unreachable at Verify: said in the error tone; Verify again goes on."""
    fill(vault, HEROKU)
    valve = Valve(service)
    app = online(connect=valve)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 0, until=lambda: ready(app, EmailStep))
        await to_step(pilot, CodeStep, EMAIL)
        valve.down = True
        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: said(app) == UNREACHABLE)
        assert isinstance(app.screen, CodeStep)
        assert tone(app) == "error"
        assert enabled(app)["next"]
        assert "Traceback" not in said(app)

        valve.down = False
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))
    assert len(service.mails(EMAIL)) == 1, "the code sent before was the one used"


async def test_a_bug_in_a_flow_is_one_sentence_never_a_traceback(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """An error nobody foresaw ends the flow with its kind, and the app goes on."""
    fill(vault, HEROKU)

    def broken(_url: str) -> Any:
        message = "a bug"
        raise RuntimeError(message)

    app = online(connect=broken)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 0, until=lambda: said(app).startswith("Unexpected"))
        assert said(app) == "Unexpected error (RuntimeError): please report it."
        assert isinstance(app.screen, EmailStep)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)


async def test_quitting_while_a_flow_waits_ends_its_thread(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """The app closes while the flow waits for a code: the flow's thread ends with it."""
    fill(vault, HEROKU)
    app = online()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_setting(pilot, 0, until=lambda: ready(app, EmailStep))
        await to_step(pilot, CodeStep, EMAIL)
    thread = app.runners["enable"].thread
    assert thread is not None
    thread.join(10)
    assert not thread.is_alive()
