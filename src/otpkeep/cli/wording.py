"""What the command line calls each :class:`~otpkeep.device.actions.Action`: a command.

The device says what happened and names an action; this table says how to do it here,
after the sentence (``Backup is off on this device. Turn it on with `otpkeep backup
enable`.``). The terminal app's table is :mod:`otpkeep.tui.wording`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.actions import Action

if TYPE_CHECKING:
    import enum

ACTIONS: dict[Action, str] = {
    Action.ENABLE_BACKUP: "Turn backup on with `otpkeep backup enable`.",
    Action.BACK_UP_NOW: "`otpkeep backup now` tries at once.",
    Action.CHECK_IN: "Check it with `otpkeep backup check-in`.",
    Action.REVIEW_DEVICES: "`otpkeep devices` lists the devices.",
    Action.LIST_VERSIONS: "`otpkeep backup versions` lists them.",
    Action.TRANSFER: "Bring it here with `otpkeep transfer` and its passcode "
    "(the accounts already here are kept).",
    Action.RECONNECT: "Sign this device in again with `otpkeep backup enable`.",
    Action.CHANGE_PASSCODE: "Choose a new one with `otpkeep settings change-passcode`.",
    Action.RESEND_CODE: "Run the command that sent the code again with `--resend` for a new one.",
    Action.SHOW_STATUS: "`otpkeep backup status` shows it.",
    Action.HEAL_BACKUP: "Upload this device's accounts over it with `otpkeep backup now --heal`.",
    Action.RESTART_BACKUP: "Start again with `otpkeep backup disable`, then "
    "`otpkeep backup enable`.",
}


def with_action(sentence: str, action: enum.StrEnum | None) -> str:
    """``sentence``, then how to do ``action`` on the command line (if it names one)."""
    if action is None or action not in ACTIONS:
        return sentence
    return f"{sentence} {ACTIONS[Action(action)]}".strip()
