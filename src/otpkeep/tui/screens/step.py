"""What every step of a backup flow shares: a title, one field, Back, Cancel and a button.

A step screen shows one question of a flow and hands what the person does to its
:class:`Driver` (the flow's runner, :mod:`otpkeep.tui.runner`): typing, the button,
Back, Cancel. The driver tells the screen in turn what the flow is doing: asking this
question (:meth:`StepScreen.present`), working or waiting (:meth:`StepScreen.working`,
the button off and the field still usable), or stopped on an error
(:meth:`StepScreen.ended`, the button starts the flow again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Protocol

from textual import on
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from otpkeep.tui.screens.form import ErrorLine, FormScreen, Tone
from otpkeep.tui.widgets.field import Field

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.flows.steps import Answer, Ask, Question


class Driver(Protocol):
    """What a step screen asks of the flow behind it."""

    @property
    def title(self) -> str:
        """The flow's title, on top of each of its screens."""
        ...

    def button(self, ask: Ask) -> str:
        """The label of the button that answers ``ask``."""
        ...

    def wording(self, ask: Ask) -> tuple[str, str] | None:
        """The question and its explanation for ``ask`` in this flow (None: the screen's own)."""
        ...

    def remembered(self, ask: Ask) -> str:
        """What was typed for ``ask`` before (never a secret)."""
        ...

    def typed(self, ask: Ask, value: str) -> None:
        """The person typed ``value`` for ``ask``."""
        ...

    def submit(self, screen: StepScreen, answer: Answer) -> None:
        """The person answered the question of ``screen``."""
        ...

    def back(self, screen: StepScreen) -> None:
        """The person chose Back on ``screen``."""
        ...

    def cancel(self) -> None:
        """The person left the flow."""
        ...


class StepScreen(FormScreen[None]):
    """One question of a flow (see the module docstring)."""

    DEFAULT_CSS = """
    StepScreen > Vertical { padding: 1 2; height: auto; }
    StepScreen .question { text-style: bold; margin-bottom: 1; }
    StepScreen .buttons { height: auto; margin-top: 1; }
    StepScreen .buttons Button { margin-right: 2; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+g", "cancel", "Cancel"),
    ]

    question_text = ""
    explanation = ""
    placeholder = ""
    password = False

    def __init__(self, driver: Driver, ask: Ask) -> None:
        super().__init__()
        self.driver = driver
        self.ask = ask
        self.question: Question | None = None
        """The question the flow waits to have answered here (None: it does not wait here)."""
        self._line: tuple[str, Tone] = ("", Tone.PROGRESS)
        self._ready = False
        worded = driver.wording(ask)
        if worded is not None:
            self.question_text, self.explanation = worded

    def compose(self) -> ComposeResult:
        yield Label(self.driver.title, classes="screen-title")
        with Vertical():
            yield Static(self.question_text, classes="question", markup=False)
            if self.explanation:
                yield Static(self.explanation, classes="hint", markup=False)
            yield Field(
                value="" if self.password else self.driver.remembered(self.ask),
                placeholder=self.placeholder,
                password=self.password,
                id="answer",
            )
            with Horizontal(classes="buttons"):
                yield Button("Back", id="back")
                yield Button("Cancel", id="cancel")
                yield Button(self.driver.button(self.ask), id="next", variant="primary")
            yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self._apply()
        if self.question is not None and not self.field.value and not self.password:
            self.field.value = self.prefill(self.question)
        self.field.focus()

    @property
    def field(self) -> Field:
        """The answer's field."""
        return self.query_one("#answer", Field)

    @property
    def waiting(self) -> bool:
        """True while the flow waits for this screen's answer (and is not working)."""
        return self.question is not None and self._ready

    # What the driver tells the screen.

    def present(self, question: Question, line: tuple[str, Tone]) -> None:
        """The flow asks ``question`` here; ``line`` is its latest news (or nothing)."""
        self.question = question
        self._show(line, ready=True)
        if self.is_mounted:
            if not self.field.value and not self.password:
                self.field.value = self.prefill(question)
            self.field.focus()

    def working(self, message: str, tone: Tone = Tone.PROGRESS) -> None:
        """The flow works (or waits) on: say so; the button is off, the field still usable."""
        self.question = None
        self._show((message, tone), ready=False)

    def answered(self) -> None:
        """The answer went to the flow: a secret leaves the field, the button is off."""
        self.question = None
        self._show(("", Tone.PROGRESS), ready=False)
        if self.password and self.is_mounted:
            self.field.value = ""

    def ended(self, message: str, tone: Tone) -> None:
        """The flow stopped on an error: say it; the button starts the flow again."""
        self.question = None
        self._show((message, tone), ready=True)

    def prefill(self, question: Question) -> str:
        """What the field starts with when the question brings a text and nothing was typed."""
        del question
        return ""

    def _show(self, line: tuple[str, Tone], *, ready: bool) -> None:
        self._line = line
        self._ready = ready
        if self.is_mounted:
            self._apply()

    def _apply(self) -> None:
        text, tone = self._line
        self.query_one(ErrorLine).show(text, tone)
        self.query_one("#next", Button).disabled = not self._ready

    # What the person does.

    def answer_of(self, text: str) -> Answer:
        """The answer the typed ``text`` gives, or None after saying why it gives none."""
        if not text.strip():
            self.say(self.empty, tone=Tone.WARNING)
            return None
        return text

    empty = "Type an answer first."
    """What is said when the button is pressed on an empty field."""

    @on(Input.Changed, "#answer")
    def _typed(self, event: Input.Changed) -> None:
        if not self.password:
            self.driver.typed(self.ask, event.value)

    @on(Input.Submitted, "#answer")
    @on(Button.Pressed, "#next")
    def _next(self) -> None:
        if not self._ready:
            return
        answer = self.answer_of(self.field.value)
        if answer is not None:
            self.driver.submit(self, answer)

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.driver.back(self)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.driver.cancel()
