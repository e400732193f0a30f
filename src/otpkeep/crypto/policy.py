"""The passcode policy: which passcodes are refused, each with a reason a person reads.

A passcode is digits only (ASCII 0-9), four to 32 of them by default. Refused:
one digit repeated (1111), a run up or down (1234, 9876, 012345), a short block
repeated (1212, 123123), and the common PINs of :mod:`otpkeep.crypto.pins`.
The reasons never repeat the passcode.
"""

from __future__ import annotations

import itertools

from otpkeep.crypto.pins import COMMON_PINS
from otpkeep.errors import WeakPasscodeError

_DIGITS = frozenset("0123456789")
MIN_DIGITS = 4
"""The shortest passcode the policy takes by default (an operator may ask for more)."""
MAX_DIGITS = 32
"""The longest passcode the policy takes by default."""


def _is_run(passcode: str, step: int) -> bool:
    values = [int(digit) for digit in passcode]
    return all(b - a == step for a, b in itertools.pairwise(values))


def _repeats_a_block(passcode: str) -> bool:
    length = len(passcode)
    return any(
        length % size == 0 and passcode[:size] * (length // size) == passcode
        for size in range(1, length // 2 + 1)
    )


def check_passcode(
    passcode: str, *, min_length: int = MIN_DIGITS, max_length: int = MAX_DIGITS
) -> None:
    """Return if ``passcode`` is acceptable; otherwise raise WeakPasscodeError(reason)."""
    if not passcode or not set(passcode) <= _DIGITS:
        raise WeakPasscodeError("The passcode must be made of digits (0-9) only.")
    if len(passcode) < min_length:
        raise WeakPasscodeError(f"The passcode must be at least {min_length} digits long.")
    if len(passcode) > max_length:
        raise WeakPasscodeError(f"The passcode must be at most {max_length} digits long.")
    if len(set(passcode)) == 1:
        raise WeakPasscodeError(
            "The passcode repeats a single digit, which is among the first guesses; choose another."
        )
    if _is_run(passcode, 1) or _is_run(passcode, -1):
        raise WeakPasscodeError(
            "The passcode is a run of consecutive digits, up or down, "
            "which is among the first guesses; choose another."
        )
    if _repeats_a_block(passcode):
        raise WeakPasscodeError(
            "The passcode repeats a short pattern of digits, "
            "which is easy to guess; choose another."
        )
    if passcode in COMMON_PINS:
        raise WeakPasscodeError(
            "The passcode is one of the most common PINs, which are guessed first; choose another."
        )
