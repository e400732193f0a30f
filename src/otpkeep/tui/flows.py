"""The four backup flows as the app shows them: which device flow, which steps, what is said.

Each ``run`` only calls the device flow, passing the address typed so far so that
a changed address sends a new code; all the logic lives in :mod:`otpkeep.device`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.backup.state import load_state
from otpkeep.device.flows.enable import EnableResult, enable_backup
from otpkeep.device.flows.settings import change_email, change_passcode
from otpkeep.device.flows.transfer import TransferResult, transfer
from otpkeep.tui.draft import Step
from otpkeep.tui.runner import FlowSpec

if TYPE_CHECKING:
    from otpkeep.device.flows.context import FlowContext
    from otpkeep.tui.draft import Draft


def _typed_email(draft: Draft) -> str | None:
    return draft.email.strip() or None


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _enable(ctx: FlowContext, draft: Draft) -> EnableResult:
    return enable_backup(ctx, _typed_email(draft))


def _enabled(result: EnableResult) -> str:
    return (
        f"Backup is on for {result.email}: {_plural(len(result.labels), 'account')} "
        f"backed up (version {result.version}). Every change is backed up from now on."
    )


def _transfer(ctx: FlowContext, draft: Draft) -> TransferResult:
    return transfer(ctx, _typed_email(draft))


def _transferred(result: TransferResult) -> str:
    return (
        f"{_plural(len(result.arrived), 'account')} arrived from the backup of {result.email}"
        f" ({result.already_here} already here). Backup is on for this device."
    )


def _change_email(ctx: FlowContext, draft: Draft) -> str:
    typed = _typed_email(draft)
    state = load_state(ctx.vault.load())
    if typed and state.verification is None and typed.casefold() == state.email.casefold():
        return state.email  # the emailed link already confirmed it
    return change_email(ctx, typed)


def _email_changed(email: object) -> str:
    return f"The backup email is now {email}. The old address has been told."


def _change_passcode(ctx: FlowContext, draft: Draft) -> int:
    del draft
    return change_passcode(ctx)


def _passcode_changed(version: object) -> str:
    del version
    return "The backup passcode is changed. You need the new one to transfer your accounts."


ENABLE = FlowSpec(
    key="enable",
    title="Back Up Accounts",
    first=Step.EMAIL,
    run=_enable,
    done=_enabled,
    buttons={Step.EMAIL: "Send Code", Step.CODE: "Verify", Step.PASSCODE_AGAIN: "Set passcode"},
)

TRANSFER = FlowSpec(
    key="transfer",
    title="Transfer accounts from a backup",
    first=Step.EMAIL,
    run=_transfer,
    done=_transferred,
    buttons={Step.EMAIL: "Send Code", Step.CODE: "Verify", Step.PASSCODE: "Transfer"},
)

CHANGE_EMAIL = FlowSpec(
    key="change_email",
    title="Change Email Address",
    first=Step.EMAIL,
    run=_change_email,
    done=_email_changed,
    buttons={Step.EMAIL: "Send Code", Step.CODE: "Verify"},
)

CHANGE_PASSCODE = FlowSpec(
    key="change_passcode",
    title="Change backup passcode",
    first=Step.PASSCODE,
    run=_change_passcode,
    done=_passcode_changed,
    buttons={Step.PASSCODE_AGAIN: "Change passcode"},
)
