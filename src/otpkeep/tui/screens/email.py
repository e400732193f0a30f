"""The first step of enable, transfer and change-email: the address, then Send Code."""

from __future__ import annotations

from otpkeep.tui.draft import Step
from otpkeep.tui.screens.step import StepScreen


class EmailStep(StepScreen):
    """Type the email address for the backup; the service emails it a six-digit code."""

    step = Step.EMAIL
    question = "Your email address"
    explanation = (
        "The backup service emails a six-digit code to this address. It never tells "
        "anyone else whether the address has a backup."
    )
    placeholder = "you@example.com"
