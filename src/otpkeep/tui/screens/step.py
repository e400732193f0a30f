"""What every step of a backup flow shares: a title, one field, Back, Cancel and a button."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from otpkeep.tui.screens.form import ErrorLine, FormScreen
from otpkeep.tui.widgets.field import Field

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.tui.draft import Step
    from otpkeep.tui.runner import FlowRunner


class StepScreen(FormScreen[None]):
    """One question of a flow; what is typed goes straight into the flow's draft."""

    DEFAULT_CSS = """
    StepScreen > Vertical { padding: 1 2; height: auto; }
    StepScreen .question { text-style: bold; margin-bottom: 1; }
    StepScreen .buttons { height: auto; margin-top: 1; }
    StepScreen .buttons Button { margin-right: 2; }
    StepScreen .progress { color: $text-muted; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+g", "cancel", "Cancel"),
    ]

    step: Step
    question = ""
    explanation = ""
    placeholder = ""
    password = False

    def __init__(self, runner: FlowRunner) -> None:
        super().__init__()
        self.runner = runner

    def compose(self) -> ComposeResult:
        spec = self.runner.spec
        yield Label(spec.title, classes="screen-title")
        with Vertical():
            yield Static(self.question, classes="question", markup=False)
            if self.explanation:
                yield Static(self.explanation, classes="hint", markup=False)
            yield Field(
                value=self.runner.draft.get(self.step),
                placeholder=self.placeholder,
                password=self.password,
                id="answer",
            )
            with Horizontal(classes="buttons"):
                yield Button("Back", id="back")
                yield Button("Cancel", id="cancel")
                yield Button(spec.buttons.get(self.step, "Next"), id="next", variant="primary")
            yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#answer").focus()

    def waiting(self) -> None:
        """The flow now waits on this step (a code screen starts watching for the link)."""

    def submitted(self) -> None:
        """The person moved forward from this step."""

    @on(Input.Changed, "#answer")
    def _typed(self, event: Input.Changed) -> None:
        self.runner.draft.set(self.step, event.value)

    @on(Input.Submitted, "#answer")
    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        self.submitted()
        self.runner.advance(self.step)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.runner.back()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        # Not awaited here: cancelling pops this very screen, which waits for this handler.
        self.app.run_worker(self.runner.cancel(), group="flow", exclusive=True)
