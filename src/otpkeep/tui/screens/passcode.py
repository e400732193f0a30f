"""Set the backup passcode, then re-enter it; the policy's reasons appear in place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.tui.draft import Step
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from otpkeep.tui.runner import FlowRunner


class PasscodeStep(StepScreen):
    """The passcode (``again``: its confirmation on the next screen). Never shown."""

    password = True

    def __init__(self, runner: FlowRunner, *, again: bool = False) -> None:
        self.step = Step.PASSCODE_AGAIN if again else Step.PASSCODE
        if again:
            self.question = "Re-enter the passcode"
            self.explanation = "The same passcode once more, to be sure it is the one you meant."
        elif runner.spec.key == "transfer":
            self.question = "Your backup passcode"
            self.explanation = (
                "The passcode you set when you turned backup on. Each wrong passcode spends "
                "one of a fixed number of tries."
            )
        else:
            self.question = "Choose a backup passcode"
            self.explanation = (
                "Four digits or longer. You need it to transfer your accounts to a new "
                "device; repeated or sequential digits and common PINs are refused."
            )
        self.placeholder = "passcode"
        super().__init__(runner)
