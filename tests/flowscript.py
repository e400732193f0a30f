"""A scripted person for the device flows: answers from queues, and a record of every step.

``Script(code=[...], passcode=[...], again=[...])`` answers each question of a flow
(:mod:`otpkeep.device.flows.steps`) from the queue of its kind; an answer may be a
callable (read the mail when the question comes). A question with no answer left
stops the flow with :class:`NoAnswer`, as a person who walked away would.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from otpkeep.device.flows.steps import BACK, Ask, Busy, Question, Say, Wait, drive

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from otpkeep.device.flows.steps import Answer, Flow, Step

T = TypeVar("T")

_QUEUES = {
    Ask.EMAIL: "email",
    Ask.NEW_EMAIL: "email",
    Ask.CODE: "code",
    Ask.PASSCODE: "passcode",
    Ask.NEW_PASSCODE: "passcode",
    Ask.PASSCODE_AGAIN: "again",
    Ask.CONFIRM: "confirm",
}


class NoAnswer(Exception):  # noqa: N818 - the script ran out, as a person who walked away
    """A question the script has no answer for."""


class Script:
    """Answers a flow's questions from queues; see the module docstring."""

    def __init__(
        self,
        *,
        on_wait: Callable[[float], None] | None = None,
        **answers: Sequence[Answer | Callable[[], Answer]],
    ) -> None:
        self.answers = {key: list(values) for key, values in answers.items()}
        self.on_wait = on_wait
        self.steps: list[Step] = []
        self.asked: list[Ask] = []

    def __call__(self, step: Step) -> Answer:
        self.steps.append(step)
        if isinstance(step, Wait):
            if self.on_wait is not None:
                self.on_wait(step.seconds)
            return None
        if not isinstance(step, Question):
            return None
        self.asked.append(step.ask)
        queue = self.answers.get(_QUEUES[step.ask]) or []
        if not queue:
            raise NoAnswer(step.ask.value)
        reply = queue.pop(0)
        answer = reply() if callable(reply) else reply
        if step.ask is Ask.CONFIRM:
            return answer is True or answer == "yes"
        if answer is BACK or answer is None:
            return answer
        return str(answer)

    def run(self, flow: Flow[T]) -> T:
        """Drive ``flow`` to its result with this script."""
        return drive(flow, self)

    @property
    def said(self) -> list[Say]:
        """What the flow said, in order."""
        return [step for step in self.steps if isinstance(step, Say)]

    @property
    def messages(self) -> list[str]:
        """Every sentence the flow said or was busy with."""
        return [step.message for step in self.steps if isinstance(step, Say | Busy | Wait)]

    @property
    def waits(self) -> list[float]:
        """The waits the flow asked for, in seconds."""
        return [step.seconds for step in self.steps if isinstance(step, Wait)]
