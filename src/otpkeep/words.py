"""How otpkeep writes counts, on the command line and in the app: ``1 account``, ``2 accounts``."""

from __future__ import annotations

IRREGULAR = {"entry": "entries", "try": "tries"}


def counted(count: int, noun: str) -> str:
    """``count`` and ``noun``, the noun in the plural unless the count is one."""
    if count == 1:
        return f"{count} {noun}"
    return f"{count} {IRREGULAR.get(noun, noun + 's')}"
