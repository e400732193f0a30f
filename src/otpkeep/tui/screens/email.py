"""The address step of enable, transfer and change-email: the address, then Send Code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.flows.steps import Ask
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from otpkeep.device.flows.steps import Question
    from otpkeep.tui.screens.step import Driver


class EmailStep(StepScreen):
    """Type the email address for the backup (``new``: the backup's new address)."""

    placeholder = "you@example.com"
    empty = "Type your email address."

    def __init__(self, driver: Driver, ask: Ask = Ask.EMAIL) -> None:
        if ask is Ask.NEW_EMAIL:
            self.question_text = "Your new email address"
            self.explanation = (
                "The backup service emails a six-digit code to the new address; the old "
                "address is told of the change."
            )
        else:
            self.question_text = "Your email address"
            self.explanation = (
                "The backup service emails a six-digit code to this address. It never tells "
                "anyone else whether the address has a backup."
            )
        super().__init__(driver, ask)

    def prefill(self, question: Question) -> str:
        """The address the flow knows (the backup's, or the one typed before)."""
        return question.text
