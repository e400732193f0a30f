"""Bytes on the wire: base64url, one spelling per value."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpkeep.protocol.encoding import b64decode, b64encode


@given(st.binary(max_size=200))
def test_bytes_round_trip_with_or_without_padding(data: bytes) -> None:
    """What is encoded decodes to the same bytes, padded or not."""
    text = b64encode(data)
    assert "=" not in text
    assert b64decode(text) == data
    assert b64decode(text + "=" * (-len(text) % 4)) == data


@pytest.mark.parametrize("text", ["AA!!AA", "A+/A", "AA AA", "A=A=", "AAA\n", "ÄAAA"])
def test_anything_outside_the_url_safe_alphabet_is_refused(text: str) -> None:
    """Characters a lax decoder would drop or translate are refused, not ignored."""
    with pytest.raises(ValueError, match="base64url"):
        b64decode(text)


@given(st.binary(min_size=1, max_size=200), st.integers(min_value=1, max_value=3))
def test_a_last_character_with_bits_no_byte_holds_is_refused(data: bytes, bits: int) -> None:
    """``AB`` and ``AA`` would both read as one zero byte: only the canonical one is read."""
    text = b64encode(data)
    spare = {2: 4, 3: 2}.get(len(text) % 4, 0)  # bits the last character carries in vain
    if not spare:
        return  # a whole group: no bit to spare
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    value = alphabet.index(text[-1]) | (bits & ((1 << spare) - 1))
    other = text[:-1] + alphabet[value]  # canonical spare bits are 0, these are not
    with pytest.raises(ValueError, match="base64url"):
        b64decode(other)
