"""What the device may ask a person to do next, whatever the front end calls it.

A notification or a refusal names an :class:`Action` instead of a command: the command
line words it as a command (``otpkeep transfer``), the terminal app as a place in the app
(Settings → Transfer accounts). Their wording tables are ``otpkeep.cli.wording`` and
``otpkeep.tui.wording``; every action has a line in both (a test checks it).
"""

from __future__ import annotations

import enum


class Action(enum.StrEnum):
    """Something the person can do about what they were just told."""

    ENABLE_BACKUP = "enable_backup"
    """Turn backup on."""
    BACK_UP_NOW = "back_up_now"
    """Upload the accounts now."""
    CHECK_IN = "check_in"
    """Check that they still know the backup passcode."""
    REVIEW_DEVICES = "review_devices"
    """Look at the devices that hold the backup, and remove any they do not know."""
    LIST_VERSIONS = "list_versions"
    """Look at the backup versions the service keeps."""
    TRANSFER = "transfer"
    """Bring the backup of this address to this device (with its passcode)."""
    RECONNECT = "reconnect"
    """Verify the address again so this device, which holds the backup, signs in again."""
    CHANGE_PASSCODE = "change_passcode"
    """Choose a new backup passcode (while this device holds the backup)."""
    RESEND_CODE = "resend_code"
    """Ask for a new emailed code."""
    SHOW_STATUS = "show_status"
    """See the backup's state."""
    HEAL_BACKUP = "heal_backup"
    """Upload this device's accounts over a backup version that cannot be opened."""
    RESTART_BACKUP = "restart_backup"
    """Turn backup off and on again (a backup that is gone, or another service)."""
