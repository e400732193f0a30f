"""What ``otpkeep notifications`` shows: enable backups, failed backups, security events, check-in.

Pure: the caller passes the vault's data, the config, the clock and the service's
events (None when they could not be fetched). ``message`` is the command line's
sentence; ``detail`` and ``action`` say the same without naming a command, for the
terminal app to word in its own terms.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import TYPE_CHECKING

from otpkeep.device.backup.gate import check_gate
from otpkeep.device.backup.state import load_state
from otpkeep.protocol.messages import EventKind

if TYPE_CHECKING:
    from collections.abc import Sequence

    from otpkeep.device.vault.data import VaultData
    from otpkeep.protocol import messages as m


class Kind(enum.StrEnum):
    """The kinds of notification."""

    ENABLE_BACKUPS = "enable_backups"
    BACKUP_FAILED = "backup_failed"
    SECURITY = "security"
    CHECK_IN = "check_in"
    OFFLINE = "offline"


class Action(enum.StrEnum):
    """What a notification asks the person to do, whatever the interface calls it."""

    ENABLE_BACKUP = "enable_backup"
    BACK_UP_NOW = "back_up_now"
    CHECK_IN = "check_in"
    REVIEW_DEVICES = "review_devices"


@dataclasses.dataclass(frozen=True)
class Notification:
    """One notification: a title and a sentence saying what to do.

    ``detail`` is ``message`` without the command it names, ``action`` what that
    command does; ``key`` identifies the notification across runs (its kind, or the
    security event's id).
    """

    kind: Kind
    title: str
    message: str
    detail: str
    key: str
    action: Action | None = None


_EVENTS: dict[EventKind, tuple[str, str]] = {
    EventKind.TRANSFER: (
        "Backup transferred to a new device",
        "If this was not you, change your backup passcode and revoke the device.",
    ),
    EventKind.PASSCODE_FAILED: (
        "Wrong passcode entered",
        "Someone tried to transfer your backup with a wrong passcode.",
    ),
    EventKind.BACKUP_DESTROYED: (
        "Backup destroyed",
        (
            "Too many wrong passcodes: the backup was destroyed. Turn backup on again to make "
            "a new one."
        ),
    ),
    EventKind.EMAIL_CHANGED: ("Backup email changed", "If this was not you, act now."),
    EventKind.PASSCODE_CHANGED: ("Backup passcode changed", "If this was not you, act now."),
    EventKind.DEVICE_ADDED: ("A device was added", "`otpkeep devices` lists them."),
    EventKind.DEVICE_REVOKED: ("A device was revoked", "`otpkeep devices` lists them."),
    EventKind.BACKUP_DELETED: ("Backup deleted", "The backup was deleted at the service."),
}

_EVENT_ACTIONS = {
    EventKind.DEVICE_ADDED: Action.REVIEW_DEVICES,
    EventKind.DEVICE_REVOKED: Action.REVIEW_DEVICES,
}


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def collect(
    data: VaultData,
    config: m.ServiceConfig,
    *,
    now: float,
    events: Sequence[m.Event] | None,
) -> list[Notification]:
    """Every notification that applies now, the most pressing first."""
    state = load_state(data)
    found: list[Notification] = []
    gate = check_gate(data, config)
    if gate.open and not state.enabled:
        connected = f"Back up your accounts ({', '.join(gate.members)} is connected)"
        found.append(
            Notification(
                Kind.ENABLE_BACKUPS,
                "Enable Backups",
                f"{connected}: run `otpkeep backup enable`.",
                f"{connected}.",
                Kind.ENABLE_BACKUPS.value,
                Action.ENABLE_BACKUP,
            )
        )
    if state.enabled and state.pending and state.last_failure is not None:
        failure = state.last_error or "The last backup did not reach the service."
        found.append(
            Notification(
                Kind.BACKUP_FAILED,
                "Backup failed",
                f"{failure} It is retried with the next command, or run `otpkeep backup now`.",
                failure,
                Kind.BACKUP_FAILED.value,
                Action.BACK_UP_NOW,
            )
        )
    if state.enabled and state.checkin is not None and now >= state.checkin.next_due:
        found.append(
            Notification(
                Kind.CHECK_IN,
                "Do you remember your backup passcode?",
                "You need it to transfer your accounts: check it with `otpkeep backup check-in`.",
                "You need it to transfer your accounts.",
                Kind.CHECK_IN.value,
                Action.CHECK_IN,
            )
        )
    if state.session_token and events is None:
        unreachable = "The backup service could not be reached to list recent security events."
        found.append(
            Notification(
                Kind.OFFLINE,
                "Security events unavailable",
                unreachable,
                unreachable,
                Kind.OFFLINE.value,
            )
        )
    for event in events or ():
        known = _EVENTS.get(event.kind)
        if known is None:
            continue
        title, message = known
        if event.kind is EventKind.PASSCODE_FAILED and isinstance(
            event.details.get("tries_left"), int
        ):
            message = f"{message} Tries left: {event.details['tries_left']}."
        action = _EVENT_ACTIONS.get(event.kind)
        found.append(
            Notification(
                Kind.SECURITY,
                f"{title} ({_when(event.created_at)})",
                message,
                "" if action else message,
                f"{Kind.SECURITY.value}:{event.id}",
                action,
            )
        )
    return found
