"""The passcode check-in: type the backup passcode, checked on this device only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.containers import Vertical
from textual.widgets import Button, Footer, Input, Label, Static

from otpkeep.device.flows.passcode import check_in
from otpkeep.tui.draft import Draft, DraftPrompter
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone
from otpkeep.tui.widgets.field import Field

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.tui.context import Context


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
        """Run the device's check-in with the typed passcode."""
        if not passcode:
            self.say("Type your backup passcode.", tone=Tone.WARNING)
            return
        prompter = DraftPrompter(Draft(passcode=passcode))
        right = await self.call(lambda: check_in(self.context.flow(prompter)), busy="Checking…")
        if isinstance(right, Failed):
            return
        self.say(prompter.last_message(), tone=Tone.SUCCESS if right else Tone.WARNING)
        if right:
            self.query_one("#passcode", Input).value = ""
