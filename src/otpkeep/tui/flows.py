"""The backup flows as the app shows them: which device flow, its title, buttons and last words.

Each ``flow`` only calls the device flow (imported when the flow starts, not with the
app); every rule lives in :mod:`otpkeep.device.flows`. A flow always starts without an
address: the one typed is the answer to its question, so a changed address sends a new
code and the same one resumes the code already sent.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from otpkeep.device.flows.steps import Ask
from otpkeep.tui.wording import counted

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from otpkeep.device.flows.enable import EnableResult
    from otpkeep.device.flows.steps import Flow
    from otpkeep.device.flows.transfer import TransferResult
    from otpkeep.device.session import Session


@dataclasses.dataclass(frozen=True)
class FlowSpec:
    """How one device flow looks as screens.

    ``flow`` starts the device flow on the session; ``done`` turns its result into the
    sentence of the last screen (None: no last screen, as when a confirmation was
    declined); ``buttons`` names the button of each question; ``first`` is the step
    opened while the flow starts (None: the flow talks on the screen it was started
    from); ``wording`` gives a question its words in this flow (question, explanation).
    """

    key: str
    title: str
    flow: Callable[[Session], Flow[Any]]
    done: Callable[[Any], str | None]
    buttons: Mapping[Ask, str]
    first: Ask | None = None
    wording: Mapping[Ask, tuple[str, str]] = dataclasses.field(default_factory=dict)


def _enable(session: Session) -> Flow[Any]:
    from otpkeep.device.flows.enable import enable_backup  # noqa: PLC0415 - when it starts

    return enable_backup(session)


def _enabled(result: EnableResult) -> str:
    if result.reconnected:
        return (
            f"This device is signed in to the backup of {result.email} again. Every change "
            "is backed up from now on."
        )
    backed_up = counted(len(result.labels), "account")
    version = "" if result.version is None else f" (version {result.version})"
    return (
        f"Backup is on for {result.email}: {backed_up} backed up{version}. Every change is "
        "backed up from now on."
    )


def _transfer(session: Session) -> Flow[Any]:
    from otpkeep.device.flows.transfer import transfer  # noqa: PLC0415 - when it starts

    return transfer(session)


def _transferred(result: TransferResult) -> str:
    return (
        f"{counted(len(result.arrived), 'account')} arrived from the backup of {result.email}"
        f" ({result.already_here} already here). Backup is on for this device."
    )


def _change_email(session: Session) -> Flow[Any]:
    from otpkeep.device.flows.settings import change_email  # noqa: PLC0415 - when it starts

    return change_email(session)


def _email_changed(email: str) -> str:
    return f"The backup email is now {email}. The old address has been told."


def _change_passcode(session: Session) -> Flow[Any]:
    from otpkeep.device.flows.settings import change_passcode  # noqa: PLC0415 - when it starts

    return change_passcode(session)


def _passcode_changed(version: int) -> str:
    del version
    return "The backup passcode is changed. You need the new one to transfer your accounts."


def _disable(session: Session) -> Flow[Any]:
    from otpkeep.device.flows.settings import disable  # noqa: PLC0415 - when it starts

    return disable(session)


def _disabled(confirmed: bool) -> str | None:  # noqa: FBT001 - the flow's result
    if not confirmed:
        return None
    return (
        "Backup is off: the backup and its versions are deleted at the service. The accounts "
        "stay on this device."
    )


def _delete_account(session: Session) -> Flow[Any]:
    from otpkeep.device.flows.privacy import delete_account  # noqa: PLC0415 - when it starts

    return delete_account(session)


def _account_deleted(confirmed: bool) -> str | None:  # noqa: FBT001 - the flow's result
    if not confirmed:
        return None
    return (
        "Your account at the backup service is deleted, with everything it held. Backup is "
        "off; the accounts stay on this device."
    )


ENABLE = FlowSpec(
    key="enable",
    title="Back Up Accounts",
    flow=_enable,
    done=_enabled,
    first=Ask.EMAIL,
    buttons={Ask.EMAIL: "Send Code", Ask.CODE: "Verify", Ask.PASSCODE_AGAIN: "Set passcode"},
)

TRANSFER = FlowSpec(
    key="transfer",
    title="Transfer accounts from a backup",
    flow=_transfer,
    done=_transferred,
    first=Ask.EMAIL,
    buttons={Ask.EMAIL: "Send Code", Ask.CODE: "Verify", Ask.PASSCODE: "Transfer"},
    wording={
        Ask.PASSCODE: (
            "Your backup passcode",
            (
                "The passcode you set when you turned backup on. Each wrong passcode spends "
                "one of a fixed number of tries."
            ),
        )
    },
)

CHANGE_EMAIL = FlowSpec(
    key="change_email",
    title="Change Email Address",
    flow=_change_email,
    done=_email_changed,
    first=Ask.NEW_EMAIL,
    buttons={Ask.NEW_EMAIL: "Send Code", Ask.CODE: "Verify"},
)

CHANGE_PASSCODE = FlowSpec(
    key="change_passcode",
    title="Change backup passcode",
    flow=_change_passcode,
    done=_passcode_changed,
    first=Ask.NEW_PASSCODE,
    buttons={Ask.PASSCODE_AGAIN: "Change passcode"},
)

DISABLE = FlowSpec(
    key="disable",
    title="Turn backup off",
    flow=_disable,
    done=_disabled,
    buttons={Ask.CONFIRM: "Turn backup off"},
)

DELETE_ACCOUNT = FlowSpec(
    key="delete_account",
    title="Delete my account at the service",
    flow=_delete_account,
    done=_account_deleted,
    buttons={Ask.CONFIRM: "Delete"},
)
