"""The pending-upload mark: set by every change to the accounts, cleared by a sync.

Kept apart from :mod:`otpkeep.device.backup.state` because every command that opens
the vault installs this hook, ``otpkeep code`` included: it must import nothing
heavy.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.device.vault.data import VaultData

SECTION = "backup"
"""The vault state section of the backup (see :class:`otpkeep.device.backup.BackupState`)."""

PENDING_MARKER = "backup.pending"
"""A file beside the vault, so a command can see a pending upload without opening it."""


def mark_pending(data: VaultData) -> bool:
    """The vault's change hook: accounts changed, so the next command uploads a backup."""
    section = data.state.get(SECTION)
    if isinstance(section, dict) and section.get("enabled"):
        section["pending"] = True
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
    """True when backup is on and a change waits to be uploaded."""
    section = data.state.get(SECTION)
    return isinstance(section, dict) and bool(section.get("enabled") and section.get("pending"))
