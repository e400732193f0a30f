"""Choose the backup passcode (or a new one), then re-enter it; or type the one set before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.flows.steps import Ask
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from otpkeep.tui.screens.step import Driver

POLICY = (
    "Four digits or longer. You need it to transfer your accounts to a new device; "
    "repeated or sequential digits and common PINs are refused."
)
WORDING = {
    Ask.PASSCODE: ("Choose a backup passcode", POLICY),
    Ask.NEW_PASSCODE: ("Choose a new backup passcode", POLICY),
    Ask.PASSCODE_AGAIN: (
        "Re-enter the passcode",
        "The same passcode once more, to be sure it is the one you meant.",
    ),
}


class PasscodeStep(StepScreen):
    """A passcode question; what is typed is never shown, nor kept once it is answered."""

    password = True
    placeholder = "passcode"
    empty = "Type the passcode."

    def __init__(self, driver: Driver, ask: Ask = Ask.PASSCODE) -> None:
        self.question_text, self.explanation = WORDING[ask]
        super().__init__(driver, ask)
