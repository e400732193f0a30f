"""The app names places in the app, never a command or an option of the command line."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from textual.widgets import Button, Input, OptionList, Static
from tui_support import EMAIL, HEROKU, fill, ready, settle, type_text

from otpkeep.device.actions import Action
from otpkeep.device.notifications import Kind
from otpkeep.tui import wording
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.notifications import TITLE_STYLES
from otpkeep.tui.screens.passcode import PasscodeStep

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from textual.pilot import Pilot
    from textual.screen import Screen

    from otpkeep.device.vault import Vault
    from otpkeep.tui.app import OtpkeepApp
    from service_harness import ServiceHarness

TUI = Path(__file__).resolve().parents[3] / "src" / "otpkeep" / "tui"
COMMAND = re.compile(r"(?<![\w-])--[a-z]|`otpkeep|\botpkeep [a-z]")
"""An option (``--resend``) or a command (``otpkeep backup enable``)."""


def strings(path: Path) -> Iterator[str]:
    """The string constants of a module, its docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
        ):
            yield node.value


def test_every_action_and_every_kind_of_notification_has_the_apps_words() -> None:
    """A notification or an error names an Action and a Kind: the app has words and a
    style for each, so none is shown without its way out, or crashes the list."""
    assert set(wording.ENTER) == set(Action)
    assert set(wording.NEXT) == set(Action)
    assert set(TITLE_STYLES) == set(Kind)


def test_no_text_of_the_app_names_a_command_or_an_option() -> None:
    """No string of the app's code, and no line of its wording tables, names one."""
    found = [
        (path.name, text)
        for path in sorted(TUI.rglob("*.py"))
        for text in strings(path)
        if COMMAND.search(text)
    ]
    found += [("wording", text) for text in (*wording.ENTER.values(), *wording.NEXT.values())]
    assert [pair for pair in found if COMMAND.search(pair[1])] == []


def visible(screen: Screen[Any]) -> str:
    """Every text a screen shows: labels, sentences, buttons, fields, lists, key hints."""
    parts: list[str] = []
    for widget in screen.query("*"):
        if isinstance(widget, Button):
            parts.append(str(widget.label))
        elif isinstance(widget, Static):
            parts.append(str(widget.content))
        elif isinstance(widget, Input):
            parts += [widget.placeholder, widget.value]
        elif isinstance(widget, OptionList):
            parts += [str(widget.get_option_at_index(i).prompt) for i in range(widget.option_count)]
    parts += [active.binding.description for active in screen.app.active_bindings.values()]
    return "\n".join(parts)


@pytest.mark.anyio
async def test_no_screen_names_a_command_or_an_option(
    vault: Vault, service: ServiceHarness, online: Callable[..., OtpkeepApp]
) -> None:
    """Home, Notifications, Settings and each of its screens, and the steps of a flow."""
    fill(vault, HEROKU)
    app = online()
    seen: dict[str, str] = {}

    async def look(pilot: Pilot[None], *keys: str) -> None:
        await pilot.press(*keys)
        await settle(pilot)
        seen[type(app.screen).__name__ + "/" + "".join(keys)] = visible(app.screen)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        seen["home"] = visible(app.screen)
        await look(pilot, "n")
        await look(pilot, "escape", "s")
        for downs in range(1, 9):  # every item but Back Up Accounts, with backup off
            await look(pilot, *["down"] * downs, "enter")
            await pilot.press("escape", "escape")
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, EmailStep))
        await type_text(pilot, EMAIL)
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, CodeStep))
        seen["code"] = visible(app.screen)
        await type_text(pilot, service.code(EMAIL))
        await pilot.press("enter")
        await settle(pilot, until=lambda: ready(app, PasscodeStep))
        seen["passcode"] = visible(app.screen)
    assert len(seen) == 13
    assert {name: text for name, text in seen.items() if COMMAND.search(text)} == {}


def test_the_home_screen_starts_without_the_backup() -> None:
    """The app, its home screen, Settings and the flow runner import no device flow, no HTTP
    client, no pydantic, no OPRF: those come with the first flow or look at the service."""
    probe = (
        "import sys; from otpkeep.tui.app import make_app; "
        "from otpkeep.tui.screens.home import HomeScreen; "
        "from otpkeep.tui.screens.settings import SettingsScreen; "
        "from otpkeep.tui.runner import FlowRunner; "
        "heavy = ('httpx', 'pydantic', 'otpkeep.device.flows.enable', 'otpkeep.device.session', "
        "'otpkeep.crypto.escrow', 'otpkeep.crypto.oprf', 'otpkeep.device.client'); "
        "print(sorted(name for name in heavy if name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
