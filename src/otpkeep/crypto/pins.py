"""The most common PINs, refused as passcodes whatever the other rules say.

Four digits: the twenty most chosen in DataGenetics' analysis of 3.4 million
four-digit PINs ("PIN analysis", Nick Berry, 2012), about a quarter of all choices.
Six digits: the most frequent all-digit six-character passwords of published
analyses of leaked password lists, keypad patterns (159753, 147258) included.
Many of them are also refused by a rule (repeated digits, runs, repeated blocks);
they stay listed so that the list on its own is a complete record.
"""

from __future__ import annotations

COMMON_4_DIGIT_PINS: frozenset[str] = frozenset(
    {
        "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969",
        "9999", "3333", "5555", "6666", "1122", "1313", "8888", "4321", "2001", "1010",
    }
)  # fmt: skip

COMMON_6_DIGIT_PINS: frozenset[str] = frozenset(
    {
        "123456", "654321", "111111", "000000", "123123", "121212", "112233", "159753",
        "696969", "666666", "888888", "777777", "555555", "222222", "333333", "444444",
        "999999", "101010", "131313", "123321", "147258", "147852", "159357", "789456",
        "456789", "987654", "102030", "112211", "252525", "159159", "520520", "753951",
        "147369", "258369", "741852", "963852", "246810", "135790", "123654", "100200",
    }
)  # fmt: skip

COMMON_PINS: frozenset[str] = COMMON_4_DIGIT_PINS | COMMON_6_DIGIT_PINS
