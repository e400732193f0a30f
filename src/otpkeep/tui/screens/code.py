"""Enter the emailed code, or open the link in the email: either completes the step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.backup.state import load_state
from otpkeep.errors import OtpkeepError
from otpkeep.tui.draft import Step
from otpkeep.tui.screens.step import StepScreen

if TYPE_CHECKING:
    from otpkeep.tui.runner import FlowRunner


class CodeStep(StepScreen):
    """The code step; it watches the vault, so the emailed link finishes it from outside.

    ``otpkeep open URL`` (what the link opens) confirms the verification in the
    vault; the next tick notices that the code this screen waits for is no longer
    pending and moves the flow on.
    """

    step = Step.CODE
    question = "Enter the code from the email"
    explanation = "Or open the link in the email, or paste the link here."
    placeholder = "6-digit code or otpkeep://verify link"

    def __init__(self, runner: FlowRunner) -> None:
        super().__init__(runner)
        self.pending_id = ""

    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(1.0, self.watch_link)

    def waiting(self) -> None:
        try:
            pending = load_state(self.runner.context.vault.load()).verification
        except OtpkeepError:
            pending = None
        self.pending_id = pending.verification_id if pending is not None else ""

    def submitted(self) -> None:
        """The person typed the code: stop watching until the flow waits here again."""
        self.pending_id = ""

    def watch_link(self) -> None:
        """Once a second: has the link (another process) confirmed our code?"""
        if not self.pending_id or self.runner.running or not self.is_current:
            return
        try:
            pending = load_state(self.runner.context.vault.load()).verification
        except OtpkeepError:
            return
        if pending is None or pending.verification_id != self.pending_id:
            self.pending_id = ""
            self.say("Verified through the link in the email.", info=True)
            self.runner.advance(self.step)
