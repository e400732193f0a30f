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
