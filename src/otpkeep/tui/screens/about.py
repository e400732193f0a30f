"""About otpkeep: the version, where the vault lives, and what the backup service holds."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Label, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.tui.context import Context

PROMISE = (
    "Your one-time-password accounts are kept in an encrypted vault on this device. "
    "With backups on, every change is encrypted here and uploaded as ciphertext: the "
    "service never receives a secret or your passcode, and answers passcode guesses only "
    "online, ten at most."
)


def otpkeep_version() -> str:
    """The installed version, or ``unknown`` when running from a bare source tree."""
    try:
        return version("otpkeep")
    except PackageNotFoundError:
        return "unknown"


class AboutScreen(Screen[None]):
    """Version, vault folder, the privacy promise."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss", "Back")]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Label("About otpkeep", classes="screen-title")
        with VerticalScroll(classes="body"):
            yield Static(f"Version {otpkeep_version()}", markup=False)
            yield Static(f"Device folder: {self.context.home}", markup=False, classes="hint")
            yield Static(PROMISE, markup=False, classes="hint")
            yield Static(
                "Keys: / search · c copy · g next HOTP code · a add · d delete · "
                "n notifications · s settings · q quit",
                markup=False,
                classes="hint",
            )
        yield Footer()
