"""The last screen of a flow: what happened, in one sentence, and a way back."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Static

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import ComposeResult


class DoneScreen(Screen[None]):
    """The flow finished; Done calls ``on_done``, which closes every screen of the flow."""

    DEFAULT_CSS = """
    DoneScreen > Vertical { padding: 1 2; height: auto; }
    DoneScreen .outcome { margin-bottom: 1; color: $success; text-style: bold; }
    DoneScreen Button { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "done", "Done"),
    ]

    AUTO_FOCUS: ClassVar[str | None] = "#done"  # Textual focuses it when the screen shows

    def __init__(self, title: str, outcome: str, on_done: Callable[[], None]) -> None:
        super().__init__()
        self.title_text = title
        self.outcome = outcome
        self.on_done = on_done

    def compose(self) -> ComposeResult:
        yield Label(self.title_text, classes="screen-title")
        with Vertical():
            yield Static("Done", classes="outcome")
            yield Static(self.outcome, markup=False, id="outcome")
            yield Button("Done", id="done", variant="primary")
        yield Footer()

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        self.on_done()
