"""The last screen of a flow: what happened, in one sentence, and a way home."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Label, Static

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.tui.runner import FlowRunner


class DoneScreen(Screen[None]):
    """The flow finished; Done closes every step of it."""

    DEFAULT_CSS = """
    DoneScreen > Vertical { padding: 1 2; height: auto; }
    DoneScreen .outcome { margin-bottom: 1; color: $success; text-style: bold; }
    DoneScreen Button { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "done", "Done"),
    ]

    def __init__(self, runner: FlowRunner, outcome: str) -> None:
        super().__init__()
        self.runner = runner
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        yield Label(self.runner.spec.title, classes="screen-title")
        with Vertical():
            yield Static("Done", classes="outcome")
            yield Static(self.outcome, markup=False)
            yield Button("Done", id="done", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#done").focus()

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        # Not awaited here: closing pops this very screen, which waits for this handler.
        self.app.run_worker(self.runner.close(), group="flow")
