"""What one import format is: a name, a content test, and a reader."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.source import Password, Source

Reader = Callable[[Source, Password], list[ImportEntry]]


@dataclasses.dataclass(frozen=True)
class FormatSpec:
    """One format: ``detect`` looks at content only; ``suffixes`` break ties.

    ``named`` is the looser test used when the person names the format (for files
    whose content alone cannot say what they are); by default it is ``detect``.
    """

    name: str
    detect: Callable[[Source], bool]
    read: Reader
    suffixes: tuple[str, ...] = ()
    named: Callable[[Source], bool] | None = None

    def accepts(self, source: Source) -> bool:
        """Whether ``source`` can be of this format when the person says it is."""
        return (self.named or self.detect)(source)
