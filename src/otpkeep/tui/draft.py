"""What a person has typed into a backup flow, and the prompter that answers from it.

The device flows ask their questions (email, code, passcode, passcode again) through
a :class:`~otpkeep.device.flows.context.Prompter`. The app runs a flow each time
the person moves forward, answering from the :class:`Draft`; a question the draft
cannot answer yet, or one asked twice (the flow refused the first answer), stops the
run with :class:`NeedInput` naming the step to show. The flow itself keeps its
progress in the vault (a code sent, a session granted), so a new run resumes where
the last one stopped, and going back or cancelling never loses what was typed.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import TYPE_CHECKING

from otpkeep.device.flows.context import Event, EventKind
from otpkeep.device.flows.verify import parse_link
from otpkeep.protocol.messages import VERIFY_LINK

if TYPE_CHECKING:
    from collections.abc import Callable


REFUSALS = frozenset({EventKind.RETRY, EventKind.WRONG_PASSCODE})
"""What a flow says when it refuses an answer and asks again."""


CODE_NEWS = frozenset({EventKind.CODE_SENT, EventKind.RESUMED})
"""What a flow says before it asks for the emailed code."""


class Step(enum.StrEnum):
    """The questions a flow asks, one screen each."""

    EMAIL = "email"
    CODE = "code"
    PASSCODE = "passcode"
    PASSCODE_AGAIN = "passcode_again"


class NeedInput(Exception):  # noqa: N818 - a signal between the prompter and the runner
    """Stop the run: ``step`` needs the person (``message`` says why, or is empty)."""

    def __init__(self, step: Step, message: str = "", *, refused: bool = False) -> None:
        super().__init__(step.value)
        self.step = step
        self.message = message
        self.refused = refused


@dataclasses.dataclass
class Draft:
    """The answers typed so far. Passcodes never appear in ``repr``."""

    email: str = ""
    code: str = dataclasses.field(default="", repr=False)
    passcode: str = dataclasses.field(default="", repr=False)
    passcode_again: str = dataclasses.field(default="", repr=False)
    confirmed: dict[str, bool] = dataclasses.field(default_factory=dict)

    def get(self, step: Step) -> str:
        """The answer for ``step`` (empty when nothing was typed)."""
        value: str = getattr(self, step.value)
        return value

    def set(self, step: Step, value: str) -> None:
        """Record what was typed for ``step``."""
        setattr(self, step.value, value)

    def upto(self, last: Step | None) -> Draft:
        """A copy holding only the answers of the steps up to ``last`` (None: no answer).

        A run started from a step uses what was typed there and before, never what is
        already typed in a later step: that one is shown again, with its text.
        """
        order = list(Step)
        keep = order[: order.index(last) + 1] if last is not None else []
        copy = Draft(confirmed=dict(self.confirmed))
        for step in keep:
            copy.set(step, self.get(step))
        return copy

    def forget_secrets(self) -> None:
        """Drop the code and passcodes once the flow is over."""
        self.code = self.passcode = self.passcode_again = ""


def code_of(text: str) -> str:
    """The code typed, or the code inside a pasted ``otpkeep://verify`` link."""
    cleaned = text.strip()
    if cleaned.startswith(VERIFY_LINK):
        return parse_link(cleaned)[1]
    return "".join(cleaned.split())


class DraftPrompter:
    """Answers a flow's questions from a :class:`Draft`; see the module docstring."""

    def __init__(self, draft: Draft, report: Callable[[Event], None] | None = None) -> None:
        self.draft = draft
        self.report = report
        self.asked: list[Step] = []
        self.events: list[Event] = []

    def _answer(self, step: Step) -> str:
        if step in self.asked:
            retry = [e.message for e in self.events if e.kind in REFUSALS]
            raise NeedInput(self.asked[-1], retry[-1] if retry else "", refused=True)
        self.asked.append(step)
        value = self.draft.get(step)
        if not value:
            raise NeedInput(step, self.news_for(step))
        return value

    def news_for(self, step: Step) -> str:
        """What the flow said that the person needs at ``step`` (a code was sent, to whom)."""
        if step is Step.CODE and self.events and self.events[-1].kind in CODE_NEWS:
            return self.events[-1].message
        return ""

    def last_message(self) -> str:
        """The last thing the flow said (a code was sent, ...), for the next screen."""
        return self.events[-1].message if self.events else ""

    def email(self) -> str:
        return self._answer(Step.EMAIL).strip()

    def code(self) -> str:
        return code_of(self._answer(Step.CODE))

    def passcode(self) -> str:
        return self._answer(Step.PASSCODE)

    def passcode_again(self) -> str:
        return self._answer(Step.PASSCODE_AGAIN)

    def confirm(self, question: str) -> bool:
        return self.draft.confirmed.get(question, False)

    def event(self, event: Event) -> None:
        self.events.append(event)
        if self.report is not None:
            self.report(event)
