"""How the app words each action: as a place in the app (and counts, as everywhere).

The device says what happened and names an :class:`~otpkeep.device.actions.Action`;
these tables say where to do it in the app (the command line's table is
:mod:`otpkeep.cli.wording`). ``ENTER`` is what Enter does on a notification, ``NEXT``
the sentence after an error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.actions import Action
from otpkeep.words import counted

__all__ = ["ENTER", "NEXT", "counted", "with_action"]

if TYPE_CHECKING:
    import enum

ENTER: dict[Action, str] = {
    Action.ENABLE_BACKUP: "Enter: turn backup on (also in Settings → Back Up Accounts)",
    Action.BACK_UP_NOW: "Enter: back up now (also in Settings → Back Up Accounts)",
    Action.CHECK_IN: "Enter: check your passcode",
    Action.REVIEW_DEVICES: "Enter: see the devices (also in Settings → Devices)",
    Action.LIST_VERSIONS: "Enter: see the versions (also in Settings → Backup versions)",
    Action.TRANSFER: "Enter: transfer the backup here (also in Settings → Transfer accounts)",
    Action.RECONNECT: "Enter: sign this device in again (also in Settings → Back Up Accounts)",
    Action.CHANGE_PASSCODE: "Enter: choose a new passcode (also in Settings)",
    Action.RESEND_CODE: "Enter: ask for a new code",
    Action.SHOW_STATUS: "Enter: open Settings",
    Action.RESTART_BACKUP: "Enter: turn backup off, then on again (in Settings)",
    Action.HEAL_BACKUP: "Enter: upload this device's accounts in its place",
}

NEXT: dict[Action, str] = {
    Action.ENABLE_BACKUP: "Settings → Back Up Accounts turns it on.",
    Action.BACK_UP_NOW: "Settings → Back Up Accounts tries at once.",
    Action.CHECK_IN: "Check it from Notifications.",
    Action.REVIEW_DEVICES: "Settings → Devices lists them.",
    Action.LIST_VERSIONS: "Settings → Backup versions lists them.",
    Action.TRANSFER: "Settings → Transfer accounts brings it here with its passcode "
    "(the accounts already here are kept).",
    Action.RECONNECT: "Settings → Back Up Accounts signs this device in again.",
    Action.CHANGE_PASSCODE: "Settings → Change backup passcode chooses a new one.",
    Action.RESEND_CODE: "Go Back to ask for a new code.",
    Action.SHOW_STATUS: "Settings shows it.",
    Action.RESTART_BACKUP: "Turn backup off and on again in Settings to start again.",
    Action.HEAL_BACKUP: "Notifications: Enter on it uploads this device's accounts in its place.",
}


def with_action(sentence: str, action: enum.StrEnum | None) -> str:
    """``sentence``, then where in the app to do ``action`` (if it names one)."""
    if action is None or action not in NEXT:
        return sentence
    return f"{sentence} {NEXT[Action(action)]}"
