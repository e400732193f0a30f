"""The header of every main screen: the title, the Notifications icon and its badge, Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Label, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.events import Click


@dataclass
class NotificationsOpened(Message):
    """The person chose the Notifications icon."""


@dataclass
class SettingsOpened(Message):
    """The person chose the Settings icon."""


class NotificationsIcon(Static):
    """``Notifications`` with a badge counting what is unread; a click opens them."""

    unread: reactive[int] = reactive(0, layout=True)  # the badge widens the icon

    def render(self) -> Text:
        text = Text("n ", style="dim")
        text.append("Notifications")
        if self.unread:
            text.append(" ")
            text.append(f" {self.unread} ", style="bold white on red")
        return text

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(NotificationsOpened())


class SettingsIcon(Static):
    """``Settings``; a click opens them."""

    def render(self) -> Text:
        text = Text("s ", style="dim")
        text.append("Settings")
        return text

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(SettingsOpened())


class AppHeader(Horizontal):
    """The title on the left, the two icons on the right."""

    DEFAULT_CSS = """
    AppHeader { height: 1; background: $panel; dock: top; }
    AppHeader .title { width: 1fr; padding: 0 1; text-style: bold; }
    AppHeader NotificationsIcon { width: auto; padding: 0 1; }
    AppHeader SettingsIcon { width: auto; padding: 0 1; }
    AppHeader NotificationsIcon:hover, AppHeader SettingsIcon:hover { background: $boost; }
    """

    def __init__(self, title: str = "otpkeep") -> None:
        super().__init__()
        self.title = title

    def compose(self) -> ComposeResult:
        yield Label(self.title, classes="title", markup=False)
        yield NotificationsIcon()
        yield SettingsIcon()

    def set_unread(self, count: int) -> None:
        """Show ``count`` on the badge (none when zero)."""
        self.query_one(NotificationsIcon).unread = count
