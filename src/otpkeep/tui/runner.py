"""Drive a device flow through step screens: one run per move forward, in a worker.

Each time the person submits a step, :class:`FlowRunner` runs the whole device flow
again in a thread, answering from the :class:`~otpkeep.tui.draft.Draft`. The flow
resumes from what it saved in the vault, and stops at the first question the draft
cannot answer (:class:`~otpkeep.tui.draft.NeedInput`): the runner shows that step,
with the flow's last sentence (a code was sent, a passcode was refused and why).
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import TYPE_CHECKING, Any

from otpkeep.errors import OtpkeepError
from otpkeep.tui.draft import Draft, DraftPrompter, NeedInput, Step
from otpkeep.tui.screens.code import CodeStep
from otpkeep.tui.screens.done import DoneScreen
from otpkeep.tui.screens.email import EmailStep
from otpkeep.tui.screens.form import unexpected
from otpkeep.tui.screens.passcode import PasscodeStep
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from collections.abc import Callable

    from textual.app import App

    from otpkeep.device.flows.context import Event, FlowContext
    from otpkeep.tui.context import Context


@dataclasses.dataclass(frozen=True)
class FlowSpec:
    """How one device flow looks as screens.

    ``run`` calls the device flow with the draft; ``done`` turns its result into the
    sentence of the last screen; ``buttons`` names each step's button.
    """

    key: str
    title: str
    first: Step
    run: Callable[[FlowContext, Draft], Any]
    done: Callable[[Any], str]
    buttons: dict[Step, str]


@dataclasses.dataclass(frozen=True)
class Finished:
    """A run that reached the end of the flow, with the flow's result."""

    result: Any


def screen_for(step: Step, runner: FlowRunner) -> StepScreen:
    """A new screen for ``step``."""
    if step is Step.EMAIL:
        return EmailStep(runner)
    if step is Step.CODE:
        return CodeStep(runner)
    return PasscodeStep(runner, again=step is Step.PASSCODE_AGAIN)


class FlowRunner:
    """One flow in progress: its draft, its step screens, its runs."""

    def __init__(self, app: App[Any], context: Context, spec: FlowSpec) -> None:
        self.app = app
        self.context = context
        self.spec = spec
        self.draft = Draft()
        self.generation = 0
        self.running = False
        self.on_finish: Callable[[], None] | None = None

    # --- navigation -------------------------------------------------------------------

    def step_screens(self) -> list[StepScreen]:
        """This flow's screens on the stack, bottom first."""
        return [s for s in self.app.screen_stack if isinstance(s, StepScreen) and s.runner is self]

    def current(self) -> StepScreen | None:
        """The step on top, if the top screen is one of ours."""
        screens = self.step_screens()
        return screens[-1] if screens and screens[-1] is self.app.screen else None

    async def show(self, step: Step) -> StepScreen:
        """Bring ``step`` to the top: back down to it when it is open, else push it."""
        for screen in self.step_screens():
            if screen.step is step:
                while self.app.screen is not screen:
                    await self.app.pop_screen()
                return screen
        screen = screen_for(step, self)
        await self.app.push_screen(screen)
        return screen

    def start(self) -> None:
        """Open the first step and let the flow say where it really starts."""
        self.app.run_worker(self._start(), group="flow", exclusive=True)

    async def _start(self) -> None:
        await self.show(self.spec.first)
        await self._run(None)

    def back(self) -> None:
        """Leave the top step; what was typed stays in the draft."""
        self.generation += 1
        self.running = False
        self.app.pop_screen()

    async def cancel(self) -> None:
        """Close every step of this flow; the draft is kept for next time."""
        self.generation += 1
        self.running = False
        while self.current() is not None:
            await self.app.pop_screen()

    def advance(self, upto: Step) -> None:
        """Run the flow again with what is typed in ``upto`` and the steps before it."""
        if not self.running:
            self.app.run_worker(self._run(upto), group="flow", exclusive=True)

    # --- one run -------------------------------------------------------------------------

    def _report(self, generation: int, event: Event) -> None:
        """Called from the flow's thread: show its progress on the step that waits."""

        def show() -> None:
            screen = self.current()
            if screen is not None and generation == self.generation:
                screen.say(event.message, info=True)

        self.app.call_from_thread(show)

    async def _run(self, upto: Step | None) -> None:
        self.running = True
        self.generation += 1
        generation = self.generation
        if (screen := self.current()) is not None:
            screen.set_busy(busy=True)
            screen.say("Working…", info=True)
        try:
            outcome = await self._attempt(upto, generation)
        finally:
            if generation == self.generation:
                self.running = False
                if (screen := self.current()) is not None:
                    screen.set_busy(busy=False)
        if generation != self.generation:
            return  # the person went back or cancelled meanwhile
        if isinstance(outcome, NeedInput):
            await self._need(outcome)
        elif isinstance(outcome, Finished):
            await self._finish(outcome.result)
        elif (screen := self.current()) is not None:
            screen.say(outcome)

    async def _attempt(self, upto: Step | None, generation: int) -> NeedInput | Finished | str:
        """One run of the flow in a thread: the step it needs, its result, or a sentence."""
        answers = self.draft.upto(upto)
        prompter = DraftPrompter(answers, lambda event: self._report(generation, event))
        try:
            flow = self.context.flow(prompter)
            return Finished(await asyncio.to_thread(self.spec.run, flow, answers))
        except NeedInput as need:
            return need
        except OtpkeepError as error:
            return str(error)
        except Exception as error:  # noqa: BLE001 - the app's error boundary: never a traceback
            return unexpected(error)

    async def _need(self, need: NeedInput) -> None:
        screen = await self.show(need.step)
        screen.say(need.message, info=not need.refused)
        screen.waiting()

    async def _finish(self, result: object) -> None:
        self.draft.forget_secrets()
        await self.app.push_screen(DoneScreen(self, self.spec.done(result)))

    async def close(self) -> None:
        """After the last screen: back to where the flow was started."""
        while isinstance(self.app.screen, DoneScreen) or self.current() is not None:
            await self.app.pop_screen()
        if self.on_finish is not None:
            self.on_finish()
