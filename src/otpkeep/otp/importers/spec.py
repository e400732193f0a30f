"""What one import format is: a name, a content test, and a reader."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source

Reader = Callable[[Source, Password], list[ImportEntry]]


@dataclasses.dataclass(frozen=True)
class FormatSpec:
    """One format: ``detect`` looks at content only; ``suffixes`` break ties."""

    name: str
    detect: Callable[[Source], bool]
    read: Reader
    suffixes: tuple[str, ...] = ()
