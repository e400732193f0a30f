"""The passcode policy: guessable passcodes are refused with a reason a person reads."""

import pytest

from otpkeep.crypto.pins import COMMON_4_DIGIT_PINS, COMMON_6_DIGIT_PINS
from otpkeep.crypto.policy import check_passcode
from otpkeep.errors import WeakPasscodeError

DATAGENETICS_TOP_20 = [
    "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
    "9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010",
]  # fmt: skip


@pytest.mark.parametrize(
    "passcode", ["2580", "7391", "1357", "902184", "4815162342", "1" + "0" * 31]
)
def test_ordinary_passcodes_are_accepted(passcode: str) -> None:
    """Passcodes that break no rule pass."""
    check_passcode(passcode)


@pytest.mark.parametrize(
    ("passcode", "words"),
    [
        ("", "digits (0-9) only"),
        ("12a4", "digits (0-9) only"),
        ("25 80", "digits (0-9) only"),
        ("\u0662\u0665\u0668\u0660", "digits (0-9) only"),  # Arabic-Indic digits
        ("258", "at least 4 digits"),
        ("1" + "0" * 32, "at most 32 digits"),
        ("1111", "repeats a single digit"),
        ("00000000", "repeats a single digit"),
        ("1234", "run of consecutive digits"),
        ("9876", "run of consecutive digits"),
        ("012345", "run of consecutive digits"),
        ("3456789", "run of consecutive digits"),
        ("1212", "repeats a short pattern"),
        ("123123", "repeats a short pattern"),
        ("58585858", "repeats a short pattern"),
        ("1004", "most common PINs"),
        ("159753", "most common PINs"),
        ("112233", "most common PINs"),
    ],
)
def test_weak_passcodes_are_refused_with_a_reason(passcode: str, words: str) -> None:
    """Each refusal names its rule in one sentence that does not repeat the passcode."""
    with pytest.raises(WeakPasscodeError) as info:
        check_passcode(passcode)
    assert words in info.value.reason
    assert info.value.reason.endswith(".")
    assert passcode == "" or passcode not in info.value.reason


@pytest.mark.parametrize("pin", DATAGENETICS_TOP_20)
def test_the_twenty_most_common_pins_are_refused(pin: str) -> None:
    """Every one of the twenty most chosen four-digit PINs is refused."""
    assert pin in COMMON_4_DIGIT_PINS
    with pytest.raises(WeakPasscodeError):
        check_passcode(pin)


@pytest.mark.parametrize("pin", sorted(COMMON_6_DIGIT_PINS))
def test_the_common_six_digit_pins_are_refused(pin: str) -> None:
    """Every listed six-digit PIN is refused."""
    with pytest.raises(WeakPasscodeError):
        check_passcode(pin)


def test_the_lengths_follow_the_service_policy() -> None:
    """A service that asks for six digits refuses four, and a maximum is honoured."""
    with pytest.raises(WeakPasscodeError, match="at least 6 digits"):
        check_passcode("2580", min_length=6)
    check_passcode("258014", min_length=6)
    with pytest.raises(WeakPasscodeError, match="at most 6 digits"):
        check_passcode("25801473", max_length=6)


def test_most_four_digit_passcodes_remain() -> None:
    """The rules refuse a small share of four-digit passcodes, not a large one."""
    accepted = 0
    for value in range(10_000):
        try:
            check_passcode(f"{value:04d}")
        except WeakPasscodeError:
            continue
        accepted += 1
    assert 9_700 < accepted < 9_990
