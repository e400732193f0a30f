"""How a code is written on screen: digits in groups, as people read them aloud."""

from __future__ import annotations


def group_digits(code: str) -> str:
    """``482913`` as ``482 913``; groups of three when they fit, else two halves.

    Six digits read ``482 913``, nine ``482 913 571``, eight ``4829 1357``, seven
    ``482 9135``; anything shorter than five characters is left alone.
    """
    if len(code) < 5:
        return code
    if len(code) % 3 == 0:
        return " ".join(code[i : i + 3] for i in range(0, len(code), 3))
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"
