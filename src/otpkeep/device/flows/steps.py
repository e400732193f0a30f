"""What a flow says to the person driving it, and how a front end drives it.

A flow is a generator (the way httpx writes its auth flows): it yields a step — a
:class:`Question` it needs answered, news to :class:`Say`, a :class:`Wait` to sit out,
slow work it is :class:`Busy` with — and receives the answer of a question (``None``
for the other steps). It returns its result. The flow does the work (the vault, the
service); the front end does the talking: the command line with prompts on a terminal
(:mod:`otpkeep.cli.terminal`), the terminal app with screens and a worker thread
(:mod:`otpkeep.tui.runner`). Nothing is replayed: a flow runs once, from its start to
its result, and :func:`drive` closes it if the front end stops it.

A question may be answered elsewhere: ``answered`` says so (the emailed link, opened in
another process, confirmed the code). A front end that sees it true answers ``None``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from otpkeep.device.actions import Action

T = TypeVar("T")


class Ask(enum.StrEnum):
    """What a question asks for."""

    EMAIL = "email"
    NEW_EMAIL = "new_email"
    CODE = "code"
    PASSCODE = "passcode"
    NEW_PASSCODE = "new_passcode"
    PASSCODE_AGAIN = "passcode_again"
    CONFIRM = "confirm"


class Note(enum.StrEnum):
    """What a sentence a flow says is about (a front end may show each its own way)."""

    INFO = "info"
    CODE_SENT = "code_sent"
    RESUMED = "resumed"
    RETRY = "retry"
    WRONG_PASSCODE = "wrong_passcode"
    DONE = "done"


@dataclasses.dataclass(frozen=True)
class Question:
    """Something the flow needs from the person.

    ``text`` words it (a confirmation's question, the address a code was sent to, the
    address typed before); ``back``: the flow takes :data:`BACK` for an answer here (a
    front end offers Back only then, and otherwise leaves the flow); ``answered``: the
    question can be answered elsewhere (see the module docstring).
    """

    ask: Ask
    text: str = ""
    back: bool = False
    answered: Callable[[], bool] | None = dataclasses.field(default=None, compare=False)

    @property
    def secret(self) -> bool:
        """Whether the answer must never be shown or kept (a passcode)."""
        return self.ask in {Ask.PASSCODE, Ask.NEW_PASSCODE, Ask.PASSCODE_AGAIN}


@dataclasses.dataclass(frozen=True)
class Say:
    """One sentence for the person, with the numbers a screen may show its own way, and what
    they can do about it (each front end words ``action`` its own way after the sentence)."""

    note: Note
    message: str
    tries_left: int | None = None
    action: Action | None = None


@dataclasses.dataclass(frozen=True)
class Wait:
    """The flow must wait ``seconds`` (the service asked): the front end counts down, then
    sends ``None``."""

    seconds: float
    message: str


@dataclasses.dataclass(frozen=True)
class Busy:
    """Slow work follows (key stretching, the network): say ``message`` meanwhile."""

    message: str


class Back:
    """The answer that means "back to the question before" (a front end's Back button)."""

    def __repr__(self) -> str:
        return "BACK"


BACK = Back()
"""Sent in answer to a question that has ``back`` set, to go back to the one before."""

Step = Question | Say | Wait | Busy
Answer = str | bool | Back | None
Flow = Generator[Step, Answer, T]


def drive(flow: Flow[T], respond: Callable[[Step], Answer]) -> T:
    """Run ``flow`` to its result, answering each step with ``respond``.

    Whatever ``respond`` raises (a cancel, an interrupt, the input that ended) stops the
    flow: the generator is closed, so its ``finally`` clauses run, and the error goes on.
    """
    try:
        step = next(flow)
        while True:
            step = flow.send(respond(step))
    except StopIteration as finished:
        result: T = finished.value
        return result
    finally:
        flow.close()
