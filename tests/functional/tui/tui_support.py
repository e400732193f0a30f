"""What the terminal-app tests share: a fixed clock, accounts, and a way to wait for the app."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.state import load_state
from otpkeep.device.client import ServiceClient
from otpkeep.device.flows.context import FlowContext
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.otp.account import Account, OtpType
from otpkeep.tui.draft import Draft, DraftPrompter, NeedInput, Step
from otpkeep.tui.screens.form import ErrorLine

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.pilot import Pilot
    from textual.screen import Screen
    from textual.widget import Widget

    from conftest import ServiceHarness
    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp

NOW = 1_700_000_020.0
"""2023-11-14 22:13:40 UTC: 20 seconds left in a 30-second period."""

GITHUB = Account(issuer="GitHub", name="alice@example.com", secret=b"12345678901234567890")
HEROKU = Account(issuer="Heroku", name="alice@example.com", secret=b"heroku-secret-0123456")
BANK = Account(issuer="Bank", name="card", secret=b"bank-secret-012345678", type=OtpType.HOTP)
SMALL_KDF = KdfParams(memory_kib=8, iterations=1)
"""Argon2id for the passcode check-in, small enough for tests."""
EMAIL = "alice@example.com"
PASSCODE = "739154"
LOCAL_ONLY = "http://127.0.0.1:9"
"""A service address nothing listens on: the app works offline."""


def fill(vault: Vault, *accounts: Account) -> None:
    """Put ``accounts`` in the vault, in order."""
    with vault.transaction() as data:
        for index, account in enumerate(accounts):
            data.add(account, index + 1)


async def settle(pilot: Pilot[Any], *, until: Callable[[], bool] | None = None) -> None:
    """Let workers and screens finish; with ``until``, wait (at most 20 s) for it to hold."""
    for _ in range(400):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
        if until is None or until():
            return
    screen = pilot.app.screen
    lines = [str(line.content) for line in screen.query(ErrorLine)]
    message = f"the app never reached the expected state: {screen!r} says {lines!r}"
    raise AssertionError(message)


async def type_text(pilot: Pilot[Any], text: str) -> None:
    """Type ``text`` key by key into the focused field."""
    await pilot.press(*text)


def screen_lines(widget: Widget) -> list[str]:
    """The lines a line-API widget shows now, as text (what a person reads)."""
    return [widget.render_line(y).text for y in range(widget.scrollable_content_region.height)]


def rows(app: OtpkeepApp, screen: Screen[Any] | None = None) -> list[tuple[str, str, str, str]]:
    """Each account on screen as (issuer, code, name, what is beside the name).

    Read from the home screen's account list (of ``screen``, else the top screen) as
    drawn: two lines of text per account (columns apart by two spaces or more), then a
    rule; an account cut by the top edge is left out.
    """
    accounts = (screen or app.screen).query_one("#accounts")
    lines = screen_lines(accounts)[-accounts.scroll_offset.y % 3 :]
    found = []
    for top, bottom in zip(lines[0::3], lines[1::3], strict=False):
        if not top.strip():
            break
        issuer, code = re.split(r"\s{2,}", top.strip(), maxsplit=1)
        parts = re.split(r"\s{2,}", bottom.strip(), maxsplit=1)
        name, beside = parts if len(parts) == 2 else ("", parts[0])
        found.append((issuer, code, name, beside))
    return found


def said(app: OtpkeepApp) -> str:
    """The sentence on the current screen's error line."""
    return str(app.screen.query_one(ErrorLine).content)


def ready(app: OtpkeepApp, screen: type[Screen[Any]], step: Step | None = None) -> bool:
    """The top screen is a ``screen`` (at ``step``), has the focus, and runs no call."""
    return (
        isinstance(app.screen, screen)
        and (step is None or getattr(app.screen, "step", None) is step)
        and app.focused is not None
        and app.focused.screen is app.screen
        and not said(app).startswith("Working")
    )


def flows_for(vault: Vault, service: ServiceHarness, prompter: DraftPrompter) -> FlowContext:
    """The device flows of ``vault`` on this test's service."""
    return FlowContext(
        vault=vault,
        prompter=prompter,
        server_url=LOCAL_ONLY,
        connect=lambda _url: ServiceClient(service.client, sleep=lambda _s: None),
        clock=lambda: NOW,
        sleep=service.clock.advance,
        device_name="phone",
        checkin_kdf=SMALL_KDF,
    )


def enable_directly(vault: Vault, service: ServiceHarness) -> None:
    """Turn backup on for ``vault`` without the app (as the command line would)."""
    draft = Draft(email=EMAIL, passcode=PASSCODE, passcode_again=PASSCODE)
    try:
        enable_backup(flows_for(vault, service, DraftPrompter(draft)))
    except NeedInput as need:
        if need.step is not Step.CODE:
            raise
    draft.code = service.code(EMAIL)
    enable_backup(flows_for(vault, service, DraftPrompter(draft)))
    assert load_state(vault.load()).enabled


def service_time_at_now(service: ServiceHarness) -> None:
    """Set the service's clock to the minute of :data:`NOW`, so events read the same each run."""
    moment = dt.datetime.fromtimestamp(NOW - NOW % 60, dt.UTC)
    service.clock.offset = moment - dt.datetime.now(dt.UTC)


def wrong_passcodes(vault: Vault, service: ServiceHarness, count: int) -> None:
    """Someone reading the mailbox tries ``count`` wrong passcodes from the device of ``vault``."""
    draft = Draft(email=EMAIL, passcode="204861")
    with contextlib.suppress(NeedInput):  # the code is sent; the run stops to ask for it
        transfer(flows_for(vault, service, DraftPrompter(draft)))
    draft.code = service.code(EMAIL)
    for _ in range(count):
        with contextlib.suppress(NeedInput):  # one wrong try, then the passcode is asked again
            transfer(flows_for(vault, service, DraftPrompter(draft)))
