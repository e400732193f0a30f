"""The protocol's kinds: why an address is verified, what a session may do, what a proof
authorises, what an event reports. Plain enums, without pydantic, so the device's state
can name them on its fast paths; the messages re-export them.
"""

from __future__ import annotations

import enum


class Purpose(enum.StrEnum):
    """Why an address is being verified (it words the email; the scope follows the account)."""

    ENABLE = "enable"
    TRANSFER = "transfer"
    CHANGE_EMAIL = "change_email"


class SessionScope(enum.StrEnum):
    """What a session may do (docs/security.md: a code gives setup or recovery; full needs
    the data key)."""

    SETUP = "setup"
    RECOVERY = "recovery"
    FULL = "full"


class PossessionAction(enum.StrEnum):
    """What a possession proof authorises; the signature names it, and its target."""

    SESSION = "session"
    REGISTER = "register"
    CHANGE_EMAIL = "change_email"
    REVOKE_DEVICE = "revoke_device"
    RENAME_DEVICE = "rename_device"
    DELETE_BACKUP = "delete_backup"
    DELETE_ACCOUNT = "delete_account"


def rename_target(device_id: object, name: str) -> str:
    """The possession target of renaming ``device_id`` to ``name`` (as the wire holds it)."""
    return f"{device_id} {name}"


class EventKind(enum.StrEnum):
    """Security events the owner is told about."""

    BACKUP_ENABLED = "backup_enabled"
    TRANSFER = "transfer"
    PASSCODE_FAILED = "passcode_failed"
    BACKUP_DESTROYED = "backup_destroyed"
    EMAIL_CHANGED = "email_changed"
    EMAIL_CHANGE_UNDONE = "email_change_undone"
    PASSCODE_CHANGED = "passcode_changed"
    PASSCODE_RENEWED = "passcode_renewed"
    DEVICE_ADDED = "device_added"
    DEVICE_SIGNED_IN = "device_signed_in"
    DEVICE_REVOKED = "device_revoked"
    BACKUP_DELETED = "backup_deleted"


class Delivery(enum.StrEnum):
    """What became of the email of a verification."""

    QUEUED = "queued"
    """Not delivered yet (the mail server may be slow, or a try failed and is retried)."""
    SENT = "sent"
    """The mail server took it."""
    FAILED = "failed"
    """The mail server refused it for good, or every try failed: no code will arrive."""
