"""Read the export files of other authenticators (and otpkeep's own) into accounts.

``read_export`` detects the format by content, asks for a password only when the
file is encrypted, and reports every entry of the file: imported, or skipped with
a reason. ``read_text`` reads pasted text: one ``otpauth://`` URI, an
``otpauth-migration://`` URI, or one URI per line.
"""

from __future__ import annotations

from otpkeep.otp.importers.reader import formats, read_export, read_text
from otpkeep.otp.importers.report import EntryStatus, ImportEntry, ImportReport
from otpkeep.otp.importers.source import PasswordPrompt

__all__ = [
    "EntryStatus",
    "ImportEntry",
    "ImportReport",
    "PasswordPrompt",
    "formats",
    "read_export",
    "read_text",
]
