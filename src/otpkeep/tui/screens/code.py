"""Enter the emailed code, or open the link in the email: either completes the step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.flows.steps import Ask
from otpkeep.tui.screens.form import Tone
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from otpkeep.device.flows.steps import Answer
    from otpkeep.tui.screens.step import Driver

LINKED = "Verified through the link in the email."


def code_of(text: str) -> str:
    """What goes to the flow: a pasted link as it is, a typed code without its spaces.

    The flow reads both links of the email, its web page's (``https://.../v/...``) and
    the ``otpkeep://verify`` one, and says in place what is wrong with one that is not.
    """
    cleaned = text.strip()
    if cleaned.casefold().startswith(("otpkeep:", "http://", "https://")):
        return cleaned
    return "".join(cleaned.split())


class CodeStep(StepScreen):
    """The code step; it also moves on by itself once the emailed link confirmed the code.

    The link opens the app in another process, which confirms the code in the vault;
    the question then says it was answered (``Question.answered``), which this screen
    looks at once a second.
    """

    question_text = "Enter the code from the email"
    explanation = "Or open the link in the email, or paste the link here."
    placeholder = "6-digit code, or the link from the email"
    empty = "Type the code from the email."

    def __init__(self, driver: Driver, ask: Ask = Ask.CODE) -> None:
        super().__init__(driver, ask)

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self.watch_link)

    def answer_of(self, text: str) -> Answer:
        """The code typed or the link pasted; None after saying that nothing was."""
        code = code_of(text)
        if not code:
            self.say(self.empty, tone=Tone.WARNING)
            return None
        return code

    def watch_link(self) -> None:
        """Once a second, while the flow waits here: was the code confirmed elsewhere?"""
        question = self.question
        if question is None or question.answered is None or not self.waiting:
            return
        if question.answered():
            self.say(LINKED, tone=Tone.PROGRESS)
            self.driver.submit(self, None)
