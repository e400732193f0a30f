"""The pending-upload mark: set by every change to the accounts, cleared by a sync.

Kept apart from :mod:`otpkeep.device.backup.state` because every command that opens
the vault installs this hook, ``otpkeep code`` included: it imports the backup state
only when it runs, that is when the accounts changed.
"""

from __future__ import annotations

import contextlib

TYPE_CHECKING = False  # not typing's: `otpkeep code` imports this module and not typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.device.vault.data import VaultData

PENDING_MARKER = "backup.pending"
"""A file beside the vault, so a command can see a pending upload without opening it."""


def mark_pending(data: VaultData) -> bool:
    """The vault's change hook: accounts changed, so the next command uploads a backup."""
    from otpkeep.device.backup.state import BackupState  # noqa: PLC0415 - writes only

    state = data.state.get(BackupState)
    if state.enabled:
        state.pending = True
        return True
    return False


def pending_hook(home: Path) -> Callable[[VaultData], None]:
    """A change hook for the vault in ``home``: mark the upload pending, and leave the marker."""

    def hook(data: VaultData) -> None:
        if mark_pending(data):
            with contextlib.suppress(OSError):
                (home / PENDING_MARKER).touch(mode=0o600)

    return hook


def needs_sync(data: VaultData) -> bool:
    """True when backup is on and a change waits to be uploaded by itself.

    Not while the newest backup version is damaged and healing it needs the person (it
    was said once; status and notifications keep saying it), nor while the service has
    signed this device out.
    """
    from otpkeep.device.backup.state import BackupState  # noqa: PLC0415 - off the read path

    state = data.state.get(BackupState)
    return state.enabled and state.pending and state.damaged is None and not state.signed_out
