"""What an import found: one entry per account of the file, imported or not, and why."""

from __future__ import annotations

import dataclasses
import enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from otpkeep.otp.account import Account


class EntryStatus(enum.StrEnum):
    """What reading made of one entry of an export file (duplicates are the vault's to find)."""

    IMPORTED = "imported"
    SKIPPED = "skipped"


@dataclasses.dataclass(frozen=True)
class ImportEntry:
    """One entry of an export file: the account it decodes to, or the reason it does not."""

    label: str
    account: Account | None
    status: EntryStatus
    reason: str = ""

    @classmethod
    def imported(cls, account: Account) -> ImportEntry:
        """An entry that decoded to ``account``."""
        return cls(label=account.label, account=account, status=EntryStatus.IMPORTED)

    @classmethod
    def skipped(cls, label: str, reason: str) -> ImportEntry:
        """An entry that is not imported; ``reason`` is one sentence for a person."""
        return cls(
            label=label or "(unnamed)", account=None, status=EntryStatus.SKIPPED, reason=reason
        )


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """Every entry of one export file, in file order; ``format`` names the detected format."""

    format: str
    entries: list[ImportEntry]

    @property
    def accounts(self) -> list[Account]:
        """The accounts of the entries that decoded."""
        return [entry.account for entry in self.entries if entry.account is not None]
