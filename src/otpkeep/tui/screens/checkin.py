"""The passcode check-in: type the backup passcode, checked on this device only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.containers import Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from otpkeep.device.flows.steps import Ask, Note, Question, Say, drive
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone
from otpkeep.tui.widgets.field import Field

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.flows.steps import Answer, Step
    from otpkeep.tui.context import Context


class PasscodeAnswer:
    """Answers the check-in's one question with the typed passcode, and keeps what it says."""

    def __init__(self, passcode: str) -> None:
        self.passcode: str | None = passcode
        self.said: list[Say] = []

    def __call__(self, step: Step) -> Answer:
        if isinstance(step, Question):
            if step.ask is not Ask.PASSCODE or self.passcode is None:
                raise RuntimeError(f"the check-in asked {step.ask} again")
            passcode, self.passcode = self.passcode, None
            return passcode
        if isinstance(step, Say):
            self.said.append(step)
        return None


class CheckInScreen(FormScreen[None]):
    """Do you remember your backup passcode? A wrong answer costs nothing."""

    DEFAULT_CSS = """
    CheckInScreen > Vertical { padding: 1 2; height: auto; }
    CheckInScreen Button { margin-top: 1; }
    """

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Label("Passcode check-in", classes="screen-title")
        with Vertical():
            yield Static(
                "You need your backup passcode to transfer your accounts to a new device. "
                "Type it to check you still know it: it is checked on this device, and a "
                "wrong one costs no try.",
                markup=False,
            )
            yield Field(placeholder="passcode", password=True, id="passcode")
            yield Button("Check", id="check", variant="primary")
            yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#passcode").focus()

    @on(Button.Pressed, "#check")
    @on(Input.Submitted, "#passcode")
    def _check(self) -> None:
        self.check(self.query_one("#passcode", Input).value)

    @work(exclusive=True, group="checkin")
    async def check(self, passcode: str) -> None:
        """Run the device's check-in with the typed passcode (checked on this device only)."""
        if not passcode:
            self.say("Type your backup passcode.", tone=Tone.WARNING)
            return
        from otpkeep.device.flows.passcode import check_in  # noqa: PLC0415 - when checking

        checked = PasscodeAnswer(passcode)
        right = await self.call(
            lambda: drive(check_in(self.context.session), checked), busy="Checking…"
        )
        self.query_one("#passcode", Input).value = ""
        if isinstance(right, Failed):
            return
        if not checked.said:
            return
        last = checked.said[-1]
        tones = {Note.DONE: Tone.SUCCESS, Note.WRONG_PASSCODE: Tone.WARNING}
        self.say(last.message, tone=tones.get(last.note, Tone.PROGRESS))
