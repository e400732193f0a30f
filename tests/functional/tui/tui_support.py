"""What the terminal-app tests share: a fixed clock, accounts, and a way to wait for the app."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import threading
from typing import TYPE_CHECKING, Any

from flowscript import NoAnswer, Script
from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.state import BackupState
from otpkeep.device.client import ServiceClient
from otpkeep.device.flows.enable import enable_backup
from otpkeep.device.flows.transfer import transfer
from otpkeep.device.session import Session
from otpkeep.errors import ServiceUnavailableError
from otpkeep.otp.account import Account, OtpType
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.form import ErrorLine
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.pilot import Pilot
    from textual.screen import Screen
    from textual.widget import Widget

    from otpkeep.device.flows.steps import Ask
    from otpkeep.device.vault import Vault
    from service_harness import ServiceHarness

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
        if getattr(pilot.app.screen_stack[0], "counting", 0):
            continue  # the home screen's badge count is about to start
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


def rows(app: App[Any], screen: Screen[Any] | None = None) -> list[tuple[str, str, str, str]]:
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


def said(app: App[Any]) -> str:
    """The sentence on the current screen's error line."""
    return str(app.screen.query_one(ErrorLine).content)


def ready(app: App[Any], screen: type[Screen[Any]], ask: Ask | None = None) -> bool:
    """The top screen is a ``screen`` (asking ``ask``), focused; a step waits for its answer."""
    top = app.screen
    return (
        isinstance(top, screen)
        and (ask is None or getattr(top, "ask", None) is ask)
        and (not isinstance(top, StepScreen) or top.waiting)
        and app.focused is not None
        and app.focused.screen is top
    )


def session_for(vault: Vault, service: ServiceHarness, name: str = "phone") -> Session:
    """The device session of ``vault`` on this test's service (as the command line makes it)."""
    return Session(
        vault,
        clock=lambda: NOW,
        server_option=LOCAL_ONLY,
        connect=lambda _url: ServiceClient(service.client, sleep=lambda _s: None),
        sleep=service.clock.advance,
        name=name,
        checkin_kdf=SMALL_KDF,
    )


def enable_directly(vault: Vault, service: ServiceHarness) -> None:
    """Turn backup on for ``vault`` without the app (as the command line would)."""
    script = Script(
        email=[EMAIL], code=[lambda: service.code(EMAIL)], passcode=[PASSCODE], again=[PASSCODE]
    )
    script.run(enable_backup(session_for(vault, service)))
    assert vault.load().state.get(BackupState).enabled


def service_time_at_now(service: ServiceHarness) -> None:
    """Set the service's clock to the minute of :data:`NOW`, so events read the same each run."""
    moment = dt.datetime.fromtimestamp(NOW - NOW % 60, dt.UTC)
    service.clock.offset = moment - dt.datetime.now(dt.UTC)


def wrong_passcodes(vault: Vault, service: ServiceHarness, count: int) -> None:
    """Someone reading the mailbox tries ``count`` wrong passcodes from the device of ``vault``."""
    script = Script(email=[EMAIL], code=[lambda: service.code(EMAIL)], passcode=["204861"] * count)
    with contextlib.suppress(NoAnswer):  # the tries are spent; it stops at the next question
        script.run(transfer(session_for(vault, service)))


class Valve:
    """The way to the test's service, which a test can hold shut or break.

    While held, every new connection waits (at most 30 s) until released: the flow
    stays busy where it was. While down, connecting fails as with no network.
    """

    def __init__(self, service: ServiceHarness) -> None:
        self.service = service
        self.opened = threading.Event()
        self.opened.set()
        self.held = threading.Event()
        """Set once a connection waits at the valve."""
        self.down = False

    def hold(self) -> None:
        """Make the next connections wait."""
        self.held.clear()
        self.opened.clear()

    def release(self) -> None:
        """Let every connection through."""
        self.opened.set()

    def __call__(self, _url: str) -> ServiceClient:
        if not self.opened.is_set():
            self.held.set()
            self.opened.wait(30)
        if self.down:
            raise ServiceUnavailableError(UNREACHABLE)
        return ServiceClient(self.service.client, sleep=lambda _s: None)


UNREACHABLE = "Cannot reach the backup service: check the connection, then try again."


def delivering(service: ServiceHarness) -> Callable[[float], None]:
    """The session's sleep: the service's mail goes out meanwhile, and its clock moves on.

    A flow waits a moment for its code's mail to leave; the test's service sends mail
    only when asked, so it is sent while the flow sleeps, as the service's own sender would.
    """

    def sleep(seconds: float) -> None:
        service.deliver()
        service.clock.advance(seconds)

    return sleep


class Ticker:
    """The session's sleep, the seconds of a wait one at a time when the test says so.

    A sleep of a second waits (at most 30 s) for :meth:`tick`; a shorter one (the look at
    the code's mail) does not. Each delivers the service's mail and moves its clock on.
    """

    def __init__(self, service: ServiceHarness) -> None:
        self.service = service
        self.slept = 0
        self._ticks = threading.Semaphore(0)
        self._sleep = delivering(service)

    def __call__(self, seconds: float) -> None:
        if seconds >= 1:
            self._ticks.acquire(timeout=30)
            self.slept += 1
        self._sleep(seconds)

    def tick(self, count: int = 1) -> None:
        """Let ``count`` seconds pass."""
        for _ in range(count):
            self._ticks.release()


WAIT = "That passcode is not right: 9 tries left. The service asks to wait before the next try."
"""The first wrong passcode's sentence and the wait after it, before the seconds left."""


async def open_setting(
    pilot: Pilot[None], downs: int, until: Callable[[], bool] | None = None
) -> None:
    """Settings, the item ``downs`` below the first, and wait (for ``until``)."""
    await pilot.press("s")
    await settle(pilot)
    await pilot.press(*["down"] * downs, "enter")
    await settle(pilot, until=until)


async def to_step(pilot: Pilot[None], screen: type[Screen[Any]], text: str) -> None:
    """Type ``text``, press Enter, and wait for ``screen`` to ask."""
    await type_text(pilot, text)
    await pilot.press("enter")
    await settle(pilot, until=lambda: ready(pilot.app, screen))


async def transfer_to_a_wait(pilot: Pilot[None], service: ServiceHarness) -> None:
    """Transfer: email, code, a wrong passcode; the service's wait counts down (3 s left)."""
    app = pilot.app
    await open_setting(pilot, 3, until=lambda: ready(app, EmailStep))
    await to_step(pilot, CodeStep, EMAIL)
    await to_step(pilot, PasscodeStep, service.code(EMAIL))
    await type_text(pilot, "246813")
    await pilot.press("enter")
    await settle(pilot, until=lambda: said(app) == f"{WAIT} 3 seconds left.")
