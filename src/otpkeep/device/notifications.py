"""The notifications both front ends show: enable backups, a failed backup, a device signed
out, the passcode check-in, and the security events of the service.

Pure: the caller passes the vault's data, the config, the clock and the service's
events (None when they could not be fetched). A notification's sentence names no
command: each front end words its :class:`~otpkeep.device.actions.Action` its own way.
:meth:`otpkeep.device.session.Session.notifications` gathers the inputs for them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import TYPE_CHECKING

from otpkeep.device.actions import Action
from otpkeep.device.backup.gate import check_gate
from otpkeep.device.backup.state import BackupState
from otpkeep.protocol.errors import EndReason
from otpkeep.protocol.kinds import EventKind

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
    SIGNED_OUT = "signed_out"
    BACKUP_DAMAGED = "backup_damaged"


_SIGNED_OUT: dict[str, str] = {
    EndReason.REVOKED: "Another of your devices removed it; its accounts are kept here, and "
    "changes wait until it signs in again.",
    EndReason.REPLACED: "A newer session replaced it; changes wait until it signs in again.",
    EndReason.EMAIL_CHANGE_UNDONE: "The backup's previous address undid its change of "
    "address; changes wait until it signs in again.",
    "": "The service ended its session; changes wait until it signs in again.",
}

_BACKUP_GONE: dict[str, str] = {
    EndReason.BACKUP_DELETED: "The backup was deleted at the service, from another device: "
    "backup is off here. The accounts are still on this device.",
    EndReason.BACKUP_DESTROYED: "The backup was destroyed after too many wrong passcodes: "
    "backup is off here. The accounts are still on this device.",
}


@dataclasses.dataclass(frozen=True)
class Notification:
    """One notification: a title, a sentence, and what the person can do about it.

    ``detail`` names no command or screen: each front end words ``action`` its own way
    after it. ``key`` identifies the notification across runs (its kind, or the
    security event's id).
    """

    kind: Kind
    title: str
    detail: str
    key: str
    action: Action | None = None


_EVENTS: dict[EventKind, tuple[str, str, Action | None]] = {
    EventKind.TRANSFER: (
        "Backup transferred to a new device",
        "If this was not you, change your backup passcode and remove the device.",
        Action.REVIEW_DEVICES,
    ),
    EventKind.PASSCODE_FAILED: (
        "Wrong passcode entered",
        "Someone tried to transfer your backup with a wrong passcode.",
        None,
    ),
    EventKind.BACKUP_DESTROYED: (
        "Backup destroyed",
        "Too many wrong passcodes: the backup was destroyed.",
        Action.ENABLE_BACKUP,
    ),
    EventKind.EMAIL_CHANGED: (
        "Backup email changed",
        "If this was not you, undo it from the email sent to the old address.",
        None,
    ),
    EventKind.EMAIL_CHANGE_UNDONE: (
        "Change of backup email undone",
        (
            "The old address undid a change of the backup's email, and the device that made it "
            "was signed out."
        ),
        Action.REVIEW_DEVICES,
    ),
    EventKind.PASSCODE_CHANGED: (
        "Backup passcode changed",
        "If this was not you, change the passcode and remove the devices you do not know.",
        Action.REVIEW_DEVICES,
    ),
    EventKind.DEVICE_ADDED: ("A device was added", "", Action.REVIEW_DEVICES),
    EventKind.DEVICE_SIGNED_IN: (
        "A device signed in again",
        "A device that holds the backup verified the address and signed in again.",
        Action.REVIEW_DEVICES,
    ),
    EventKind.DEVICE_REVOKED: ("A device was removed", "", Action.REVIEW_DEVICES),
    EventKind.BACKUP_DELETED: (
        "Backup deleted",
        "The backup was deleted at the service: backup is off on every device.",
        Action.ENABLE_BACKUP,
    ),
}
"""The security events worth a notification (turning backup on, and the passcode renewed
by a transfer, which the transfer's own event covers, are not)."""


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
    state = data.state.get(BackupState)
    found: list[Notification] = []
    gate = check_gate(data, config)
    if gate.open and not state.enabled and not state.signed_out:
        found.append(
            Notification(
                Kind.ENABLE_BACKUPS,
                "Enable Backups",
                f"Back up your accounts ({', '.join(gate.members)} is connected).",
                Kind.ENABLE_BACKUPS.value,
                Action.ENABLE_BACKUP,
            )
        )
    found += _backup(state)
    if state.enabled and state.checkin is not None and now >= state.checkin.next_due:
        found.append(
            Notification(
                Kind.CHECK_IN,
                "Do you remember your backup passcode?",
                "You need it to transfer your accounts to a new device.",
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
                Kind.OFFLINE.value,
            )
        )
    found += _security(events or ())
    return found


def _backup(state: BackupState) -> list[Notification]:
    """What is wrong with this device's backup: signed out, gone, damaged, or failing."""
    if not state.enabled:
        if state.signed_out not in _BACKUP_GONE:
            return []
        reason = str(state.signed_out)
        return [
            Notification(
                Kind.SIGNED_OUT,
                "Backup is off",
                _BACKUP_GONE[reason],
                f"{Kind.SIGNED_OUT.value}:{reason}",
                Action.ENABLE_BACKUP,
            )
        ]
    if state.signed_out:
        return [
            Notification(
                Kind.SIGNED_OUT,
                "This device is signed out of the backup",
                _SIGNED_OUT.get(state.signed_out, _SIGNED_OUT[""]),
                Kind.SIGNED_OUT.value,
                Action.RECONNECT,
            )
        ]
    if state.damaged is not None:
        return [
            Notification(
                Kind.BACKUP_DAMAGED,
                f"Backup version {state.damaged} cannot be opened",
                "It is damaged, or was written by a faulty app; changes wait until this "
                "device's accounts are uploaded over it.",
                f"{Kind.BACKUP_DAMAGED.value}:{state.damaged}",
                Action.HEAL_BACKUP,
            )
        ]
    if state.pending and state.last_failure is not None:
        failure = state.last_error or "The last backup did not reach the service."
        return [
            Notification(
                Kind.BACKUP_FAILED,
                "Backup failed",
                f"{failure} It is tried again with the next change to the accounts.",
                Kind.BACKUP_FAILED.value,
                Action.BACK_UP_NOW,
            )
        ]
    return []


def _security(events: Sequence[m.Event]) -> list[Notification]:
    """The security events worth a notification, newest first as the service sends them."""
    found: list[Notification] = []
    for event in events:
        known = _EVENTS.get(event.kind)
        if known is None:
            continue
        title, message, action = known
        if event.kind is EventKind.PASSCODE_FAILED and isinstance(
            event.details.get("tries_left"), int
        ):
            message = f"{message} Tries left: {event.details['tries_left']}."
        found.append(
            Notification(
                Kind.SECURITY,
                f"{title} ({_when(event.created_at)})",
                message,
                f"{Kind.SECURITY.value}:{event.id}",
                action,
            )
        )
    return found
