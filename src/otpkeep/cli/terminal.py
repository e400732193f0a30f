"""The device flows at a terminal: each step of a flow asked or said on standard error.

:class:`Terminal` answers a flow's steps (:mod:`otpkeep.device.flows.steps`): its
questions through :mod:`otpkeep.cli.prompt`, its news and slow work as a line on
standard error, its waits as a countdown that rewrites one line on a terminal and
prints a line every ten seconds otherwise. Results go to standard output, from the
command. The code question also watches the vault, so the emailed link or ``otpkeep
verify`` on another terminal answers it.
"""

from __future__ import annotations

import math
import sys
from typing import TYPE_CHECKING, TypeVar

from otpkeep.cli import prompt
from otpkeep.cli.wording import with_action

if TYPE_CHECKING:
    from otpkeep.device.flows.steps import Answer, Flow, Question, Step
    from otpkeep.device.session import Session

T = TypeVar("T")

_QUESTIONS = {
    "email": "Email address: ",
    "new_email": "New email address: ",
    "code": "Code from the email: ",
    "passcode": "Backup passcode: ",
    "new_passcode": "New backup passcode: ",
    "passcode_again": "The same passcode again: ",
}
COUNT_EVERY = 10
"""Off a terminal, a countdown prints one line every this many seconds."""


class Terminal:
    """Answers a flow's steps at the terminal (see the module docstring)."""

    def __init__(self, session: Session, *, assume_yes: bool = False) -> None:
        self.session = session
        self.assume_yes = assume_yes

    def __call__(self, step: Step) -> Answer:
        """The answer to ``step`` (None for a step that only says something)."""
        from otpkeep.device.flows.steps import Question, Say, Wait  # noqa: PLC0415

        if isinstance(step, Question):
            return self.answer(step)
        if isinstance(step, Wait):
            self.count_down(step.seconds, step.message)
        elif isinstance(step, Say):
            self.say(with_action(step.message, step.action))
        else:
            self.say(step.message)
        return None

    def answer(self, question: Question) -> Answer:
        """What the person answers to ``question`` (None: it was answered elsewhere)."""
        from otpkeep.device.flows.steps import Ask  # noqa: PLC0415

        if question.ask is Ask.CONFIRM:
            return self.assume_yes or prompt.confirm(question.text)
        if question.secret:
            return prompt.ask_secret(_QUESTIONS[question.ask.value])
        if question.ask is Ask.EMAIL and question.text:
            return prompt.ask_line(f"Email address [{question.text}]: ") or question.text
        return prompt.ask(_QUESTIONS[question.ask.value], until=question.answered)

    @staticmethod
    def say(message: str) -> None:
        """One line on standard error."""
        print(message, file=sys.stderr, flush=True)

    def count_down(self, seconds: float, message: str) -> None:
        """Say ``message`` and wait ``seconds``, with the seconds left once a second."""
        left = math.ceil(seconds)
        terminal = sys.stderr.isatty()
        if not terminal:
            self.say(f"{message} Waiting {left} s.")
        while left > 0:
            if terminal:
                sys.stderr.write(f"\r{message} {left} s left.   ")
                sys.stderr.flush()
            elif left % COUNT_EVERY == 0 and left != math.ceil(seconds):
                self.say(f"{left} s left.")
            self.session.sleep(1.0)
            left -= 1
        if terminal:
            sys.stderr.write("\n")
            sys.stderr.flush()


def run(session: Session, flow: Flow[T], *, assume_yes: bool = False) -> T:
    """Drive ``flow`` at this terminal to its result."""
    from otpkeep.device.flows.steps import drive  # noqa: PLC0415

    return drive(flow, Terminal(session, assume_yes=assume_yes))
