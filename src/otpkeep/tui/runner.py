"""Drive a device flow through step screens: the flow runs once, in a thread of its own.

:class:`FlowRunner` drives the flow (:mod:`otpkeep.device.flows.steps`) with
:func:`~otpkeep.device.flows.steps.drive` in a thread, and shows each step from the UI
thread: a question brings its screen to the top and the thread waits for the answer on
a queue; news goes on the step on top (a refusal in the warning tone); slow work turns
the step's button off and leaves its field usable; a wait counts down there, once a
second. Cancel puts a stop in the queue, so the flow is closed at its next step, and
closes the flow's screens.

What the person types in a field that is not secret is remembered for the flow, so the
flow started again shows it. An error ends the run and stays on the step, with what to
do next in the app's words; the step's button starts the flow again, which resumes from
what the vault holds (a code sent, a session granted) and takes what was submitted as
the answer to its first question, when that is the same question.
"""

from __future__ import annotations

import contextlib
import math
import queue
import threading
from functools import partial
from typing import TYPE_CHECKING, Any

from otpkeep.device.flows.steps import BACK, Ask, Busy, Note, Question, Say, Wait, drive
from otpkeep.errors import OtpkeepError
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.form import FormScreen, Tone, tone_of, unexpected
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.step import StepScreen
from otpkeep.tui.wording import counted, with_action

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App
    from textual.screen import Screen

    from otpkeep.device.flows.steps import Answer, Step
    from otpkeep.tui.context import Context
    from otpkeep.tui.flows import FlowSpec

TONES = {
    Note.RETRY: Tone.WARNING,
    Note.WRONG_PASSCODE: Tone.WARNING,
    Note.DONE: Tone.SUCCESS,
}
"""The tone of what a flow says (news not listed here is progress)."""


class Stopped(Exception):  # noqa: N818 - a signal, not an error
    """The person left the flow: raised in the flow's thread, so that drive closes the flow."""


_STOP = object()
"""Put in a run's queue in place of an answer: the flow stops at once."""


class _Run:
    """One run of the flow: the answers given to its thread, and whether it was stopped."""

    def __init__(self, first: tuple[Ask, Answer] | None) -> None:
        self.answers: queue.SimpleQueue[object] = queue.SimpleQueue()
        self.stopped = threading.Event()
        self.first = first
        """What was submitted when the run started: the answer to its first question."""

    def stop(self) -> None:
        """Stop the flow at its next step (or at once, when it waits for an answer)."""
        self.stopped.set()
        self.answers.put(_STOP)

    def answer(self, answer: Answer) -> None:
        """Give the flow the answer it waits for."""
        self.answers.put(answer)

    def next_answer(self) -> Answer:
        """Wait for the answer (in the flow's thread)."""
        got = self.answers.get()
        if got is _STOP or self.stopped.is_set():
            raise Stopped
        answer: Answer = got  # type: ignore[assignment]  # only answers and the stop are put
        return answer


def screen_for(ask: Ask, runner: FlowRunner) -> StepScreen:
    """A new screen for the question ``ask``."""
    if ask in {Ask.EMAIL, Ask.NEW_EMAIL}:
        return EmailStep(runner, ask)
    if ask is Ask.CODE:
        return CodeStep(runner, ask)
    return PasscodeStep(runner, ask)


class FlowRunner:
    """One flow of the app: its screens, what was typed, and the run in progress."""

    def __init__(self, app: App[Any], context: Context, spec: FlowSpec) -> None:
        self.app = app
        self.context = context
        self.spec = spec
        self.memory: dict[Ask, str] = {}
        self.run: _Run | None = None
        self.question: Question | None = None
        """The question the flow waits to have answered (None: it works, or no run)."""
        self.busy = False
        self.news: tuple[str, Tone] | None = None
        """What the flow said last, for the screen of its next question."""
        self.host: Screen[Any] | None = None
        """The screen the flow was started from (it talks there while it has no step)."""
        self.on_finish: Callable[[], None] | None = None
        self.thread: threading.Thread | None = None
        """The thread of the last run (it ends soon after the run is stopped)."""

    # The Driver of the step screens.

    @property
    def title(self) -> str:
        """The flow's title."""
        return self.spec.title

    def button(self, ask: Ask) -> str:
        """The label of the button that answers ``ask``."""
        return self.spec.buttons.get(ask, "Next")

    def wording(self, ask: Ask) -> tuple[str, str] | None:
        """This flow's words for ``ask``, if it has its own."""
        return self.spec.wording.get(ask)

    def remembered(self, ask: Ask) -> str:
        """What was typed for ``ask`` (secrets are never remembered)."""
        return self.memory.get(ask, "")

    def typed(self, ask: Ask, value: str) -> None:
        """Remember what is typed in a field that is not secret."""
        if not Question(ask).secret:
            self.memory[ask] = value

    def submit(self, screen: StepScreen, answer: Answer) -> None:
        """The person answered on ``screen``: to the flow, or start the flow again."""
        if self.busy:
            return
        if self.run is None:
            screen.answered()
            self.start((screen.ask, answer))
            return
        if self.question is None or self.question.ask is not screen.ask:
            return
        self.question = None
        screen.answered()
        self.run.answer(answer)

    def back(self, screen: StepScreen) -> None:
        """Back: to the question before, where the flow takes it; else out of the flow.

        After an error, Back goes to the step before (its button starts the flow again).
        """
        question = self.question
        if (
            self.run is not None
            and question is not None
            and question.back
            and question.ask is screen.ask
        ):
            self.question = None
            screen.answered()
            self.run.answer(BACK)
            return
        if self.run is None and len(self.screens()) > 1 and self.app.screen is screen:
            self.app.pop_screen()
            return
        self.cancel()

    def cancel(self) -> None:
        """Stop the flow and close its screens; what was typed (no secret) is kept."""
        self.stop()
        self.question = None
        self.busy = False
        self.news = None
        while self.top() is not None:
            self.app.pop_screen()

    # Starting, stopping, closing.

    def start(self, first: tuple[Ask, Answer] | None = None) -> None:
        """Run the flow in a thread; ``first``: the answer to its first question, if it asks it.

        The step the flow usually starts with opens at once, so the person can type while
        the flow starts (it asks the service first).
        """
        if self.run is not None:
            return
        if not self.screens():
            self.host = self.app.screen
            if self.spec.first is not None:
                self.app.push_screen(screen_for(self.spec.first, self))
        self.question = None
        self.busy = False
        self.news = None
        run = self.run = _Run(first)
        self.thread = threading.Thread(
            target=self._work, args=(run,), name=f"flow {self.spec.key}", daemon=True
        )
        self.thread.start()

    def stop(self) -> None:
        """Stop the run in progress, if any (its thread ends at the flow's next step)."""
        if self.run is not None:
            self.run.stop()
            self.run = None

    def close(self) -> None:
        """After the last screen: back to where the flow was started."""
        while isinstance(self.app.screen, DoneScreen) or self.top() is not None:
            self.app.pop_screen()
        if self.on_finish is not None:
            self.on_finish()

    # The screens.

    def screens(self) -> list[StepScreen]:
        """This flow's step screens on the stack, bottom first."""
        return [s for s in self.app.screen_stack if isinstance(s, StepScreen) and s.driver is self]

    def top(self) -> StepScreen | None:
        """The step on top, if the top screen is one of this flow's."""
        screens = self.screens()
        return screens[-1] if screens and screens[-1] is self.app.screen else None

    def _bring(self, ask: Ask) -> StepScreen:
        """The screen of ``ask`` on top: back down to it when it is open, else a new one."""
        for screen in self.screens():
            if screen.ask is ask:
                while self.app.screen is not screen:
                    self.app.pop_screen()
                return screen
        screen = screen_for(ask, self)
        self.app.push_screen(screen)
        return screen

    def _line(self, text: str, tone: Tone) -> None:
        """Say ``text`` on the step on top, or on the screen the flow was started from."""
        top = self.top()
        if top is not None:
            top.say(text, tone=tone)
        elif isinstance(self.host, FormScreen) and self.host is self.app.screen:
            self.host.say(text, tone=tone)

    # In the flow's thread.

    def _work(self, run: _Run) -> None:
        """Drive the flow to its end; whatever happens is shown, never raised."""
        try:
            result = drive(self.spec.flow(self.context.session), partial(self._respond, run))
        except Stopped:
            return
        except OtpkeepError as error:
            text = with_action(str(error), error.action)
            self._post(run, partial(self._failed, text, tone_of(error)))
        except Exception as error:  # noqa: BLE001 - the app's error boundary: never a traceback
            self._post(run, partial(self._failed, unexpected(error), Tone.ERROR))
        else:
            self._post(run, partial(self._finished, result))

    def _respond(self, run: _Run, step: Step) -> Answer:
        """The answer to ``step``: from the person for a question, None for the others."""
        if run.stopped.is_set():
            raise Stopped
        if isinstance(step, Question):
            first, run.first = run.first, None
            if first is not None and first[0] is step.ask:
                self._post(run, self._forget_news)
                return first[1]
            self._post(run, partial(self._ask, run, step))
            return run.next_answer()
        if isinstance(step, Wait):
            self._count_down(run, step)
        elif isinstance(step, Busy):
            self._post(run, partial(self._working, step.message, Tone.PROGRESS))
        else:
            self._post(run, partial(self._said, step))
        return None

    def _count_down(self, run: _Run, wait: Wait) -> None:
        """Sit out ``wait``: the seconds left on the step, once a second, until cancelled."""
        left = max(1, math.ceil(wait.seconds))
        while left > 0:
            if run.stopped.is_set():
                raise Stopped
            text = f"{wait.message} {counted(left, 'second')} left."
            self._post(run, partial(self._waiting, text))
            self.context.session.sleep(1.0)
            left -= 1
        if run.stopped.is_set():
            raise Stopped

    def _post(self, run: _Run, callback: Callable[[], None]) -> None:
        """Call ``callback`` in the UI thread, if ``run`` is still the flow's run by then."""

        def apply() -> None:
            if run is self.run:
                callback()

        # call_later posts a message, which Textual makes thread-safe; after the app has
        # closed there is nobody to tell.
        with contextlib.suppress(RuntimeError):
            self.app.call_later(apply)

    # In the UI thread: what the flow's thread reports.

    def _ask(self, run: _Run, question: Question) -> None:
        self.question = question
        self.busy = False
        news, self.news = self.news, None
        if question.ask is Ask.CONFIRM:

            def answered(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
                if run is self.run:
                    self.question = None
                    run.answer(bool(yes))

            label = self.spec.buttons.get(Ask.CONFIRM, "Yes")
            self.app.push_screen(ConfirmScreen(question.text, confirm=label), answered)
            return
        self._bring(question.ask).present(question, news or ("", Tone.PROGRESS))

    def _forget_news(self) -> None:
        self.news = None

    def _working(self, message: str, tone: Tone) -> None:
        self.busy = True
        top = self.top()
        if top is not None:
            top.working(message, tone)
        else:
            self._line(message, tone)

    def _waiting(self, countdown: str) -> None:
        """The countdown, after what the flow said last (the tries left stay in sight)."""
        news = f"{self.news[0]} " if self.news is not None else ""
        self._working(news + countdown, Tone.WARNING)

    def _said(self, say: Say) -> None:
        self.news = (say.message, TONES.get(say.note, Tone.PROGRESS))
        self._line(*self.news)

    def _finished(self, result: object) -> None:
        self.run = None
        self.question = None
        self.busy = False
        self.memory.clear()
        sentence = self.spec.done(result)
        if sentence is None:
            self.close()
            return
        self.app.push_screen(DoneScreen(self.spec.title, sentence, self.close))

    def _failed(self, text: str, tone: Tone) -> None:
        self.run = None
        self.question = None
        self.busy = False
        self.news = None
        top = self.top()
        for screen in self.screens():
            screen.ended(text if screen is top else "", tone)
        if top is None:
            self._line(text, tone)
