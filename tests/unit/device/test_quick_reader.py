"""The quick reader's decoders give exactly what the standard library's give."""

from __future__ import annotations

import base64
import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from otpkeep.device.vault import quickjson
from otpkeep.otp import base32

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@given(st.binary(max_size=80))
def test_base32_reads_what_the_vault_writes(raw: bytes) -> None:
    written = base64.b32encode(raw).decode("ascii").rstrip("=")
    assert base32.decode(written) == raw


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ234567abc18=_ -+é", max_size=40))
def test_base32_agrees_with_b32decode_on_digits_and_refuses_the_rest(text: str) -> None:
    """Any length: b32decode of the text padded with zero digits, cut to its whole bytes."""
    if set(text) <= set(base32.ALPHABET):
        padded = base64.b32decode(text + "A" * (-len(text) % 8))
        assert base32.decode(text) == padded[: len(text) * 5 // 8]
    else:
        assert base32.decode(text) is None


@given(JSON_VALUES, st.sampled_from(["", " ", "\n", "\t\r\n "]))
def test_quickjson_reads_json_as_json_does(value: object, space: str) -> None:
    text = f"{space}{json.dumps(value, separators=(',', ':'))}{space}".encode()
    assert quickjson.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "text",
    [b"", b" ", b"{", b'{"a": }', b"[1,]", b"1 2", b"{} x", b'"\xff"', b"nul", b'"a\x01"'],
)
def test_quickjson_refuses_what_is_not_one_document(text: bytes) -> None:
    with pytest.raises(ValueError):
        json.loads(text.decode("utf-8", "strict"))
    with pytest.raises(ValueError):
        quickjson.loads(text)


def test_quickjson_reads_the_constants_json_reads() -> None:
    read = quickjson.loads(b"[NaN, Infinity, -Infinity, 1e400]")
    assert math.isnan(read[0])
    assert read[1:] == [math.inf, -math.inf, math.inf]
