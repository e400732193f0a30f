"""RFC 9497 OPRF, ristretto255-SHA512, mode 0: the published vectors and the refusals."""

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from otpkeep.crypto import oprf, sodium
from otpkeep.errors import CryptoBackendError, InvalidElementError, InvalidParameterError

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "rfc9497-ristretto255-sha512.json"


def _mode0() -> list[dict[str, Any]]:
    suites = json.loads(VECTORS.read_text(encoding="utf-8"))
    return [suite for suite in suites if suite["mode"] == 0]


def _cases() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(suite, vector) for suite in _mode0() for vector in suite["vectors"]]


RISTRETTO = json.loads((VECTORS.parent / "rfc9496-ristretto255.json").read_text(encoding="utf-8"))
INVALID = [item["encoding"] for item in RISTRETTO["invalid"]]
MULTIPLES = RISTRETTO["multiples"]
BAD_ENCODINGS = [*INVALID, MULTIPLES[0]]  # every RFC 9496 invalid encoding, and the identity
TOP_BIT_SET = [
    (bytes.fromhex(encoding)[:31] + bytes((bytes.fromhex(encoding)[31] | 0x80,))).hex()
    for encoding in MULTIPLES[1:]
]
"""Each valid multiple of the generator with the top bit of its last byte set (RFC 9496 §4.3.1:
the 256-bit value is then >= p, so the encoding is non-canonical)."""


def test_the_ristretto_vectors_are_complete() -> None:
    """All 29 invalid encodings of RFC 9496 A.2 and the 16 multiples of A.1 are in the file."""
    assert len(INVALID) == 29
    assert len(MULTIPLES) == 16
    assert {item["reason"] for item in RISTRETTO["invalid"]} == {
        "non-canonical field encoding",
        "negative field element",
        "non-square x^2",
        "negative xy",
        "s = -1 (y = 0)",
    }


def test_every_valid_multiple_is_accepted() -> None:
    """The encodings of 1..15 times the generator are valid elements; the identity is not."""
    assert [oprf.is_valid_element(bytes.fromhex(item)) for item in MULTIPLES] == [
        False,
        *[True] * 15,
    ]


@pytest.mark.parametrize("encoding", [*BAD_ENCODINGS, *TOP_BIT_SET])
def test_invalid_encodings_are_not_valid_elements(encoding: str) -> None:
    """Every RFC 9496 invalid encoding, the identity and every top-bit spelling is refused."""
    assert not oprf.is_valid_element(bytes.fromhex(encoding))


def test_the_vector_file_holds_mode_0_vectors() -> None:
    """The copied vector file has the mode-0 suite with its two vectors, so the tests below run."""
    suites = _mode0()
    assert len(suites) == 1
    assert suites[0]["identifier"] == "ristretto255-SHA512"
    assert len(suites[0]["vectors"]) == 2


@pytest.mark.parametrize("suite", _mode0())
def test_derive_key_pair_matches_the_vectors(suite: dict[str, Any]) -> None:
    """DeriveKeyPair(seed, info) gives the published private key."""
    sk, pk = oprf.derive_key_pair(bytes.fromhex(suite["seed"]), bytes.fromhex(suite["keyInfo"]))
    assert sk.hex() == suite["skSm"]
    assert sodium.scalar_mult_base(sk) == pk


def test_the_group_dst_matches_the_vectors() -> None:
    """The HashToGroup domain separation tag is the one the RFC publishes."""
    assert oprf.HASH_TO_GROUP_DST.hex() == _mode0()[0]["groupDST"]


@pytest.mark.parametrize(("suite", "vector"), _cases())
def test_blind_evaluate_finalize_match_the_vectors(
    suite: dict[str, Any], vector: dict[str, Any]
) -> None:
    """Every step of mode 0 reproduces the published blinded, evaluated and output values."""
    sk, _ = oprf.derive_key_pair(bytes.fromhex(suite["seed"]), bytes.fromhex(suite["keyInfo"]))
    data = bytes.fromhex(vector["Input"])
    blind, blinded = oprf.blind(data, bytes.fromhex(vector["Blind"]))
    assert blinded.hex() == vector["BlindedElement"]
    evaluated = oprf.blind_evaluate(sk, blinded)
    assert evaluated.hex() == vector["EvaluationElement"]
    assert oprf.finalize(data, blind, evaluated).hex() == vector["Output"]


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=64))
def test_the_output_does_not_depend_on_the_blind(data: bytes) -> None:
    """Two random blinds of the same input finalise to the same output."""
    sk, _ = oprf.derive_key_pair(bytes(32), b"test")
    outputs = set()
    for _ in range(2):
        blind, blinded = oprf.blind(data)
        outputs.add(oprf.finalize(data, blind, oprf.blind_evaluate(sk, blinded)))
    assert len(outputs) == 1


def test_different_keys_give_different_outputs() -> None:
    """The same input evaluated under two keys finalises to two outputs."""
    outputs = set()
    for info in (b"one", b"two"):
        sk, _ = oprf.derive_key_pair(bytes(32), info)
        blind, blinded = oprf.blind(b"2580")
        outputs.add(oprf.finalize(b"2580", blind, oprf.blind_evaluate(sk, blinded)))
    assert len(outputs) == 2


@pytest.mark.parametrize("encoding", [*BAD_ENCODINGS, *TOP_BIT_SET])
def test_blind_evaluate_refuses_bad_elements(encoding: str) -> None:
    """Every invalid encoding (RFC 9496 A.2, the identity, a top-bit spelling) is refused."""
    sk, _ = oprf.derive_key_pair(bytes(32), b"test")
    with pytest.raises(InvalidElementError):
        oprf.blind_evaluate(sk, bytes.fromhex(encoding))


@pytest.mark.parametrize("encoding", [*BAD_ENCODINGS, *TOP_BIT_SET])
def test_finalize_refuses_bad_elements(encoding: str) -> None:
    """The device refuses the same encodings in the service's answer."""
    blind, _ = oprf.blind(b"2580")
    with pytest.raises(InvalidElementError):
        oprf.finalize(b"2580", blind, bytes.fromhex(encoding))


@pytest.mark.parametrize("length", [0, 31, 33, 64])
def test_elements_of_the_wrong_length_are_refused(length: int) -> None:
    """An element that is not 32 bytes is refused as an invalid element, a ValueError."""
    sk, _ = oprf.derive_key_pair(bytes(32), b"test")
    with pytest.raises(ValueError, match="not a valid ristretto255 element"):
        oprf.blind_evaluate(sk, b"\x01" * length)


@pytest.mark.parametrize(
    "scalar",
    [bytes(32), b"\xff" * 32, oprf.GROUP_ORDER.to_bytes(32, "little"), b"\x01" * 31],
)
def test_non_canonical_scalars_are_refused(scalar: bytes) -> None:
    """A blind or key that is zero, not reduced or not 32 bytes is refused."""
    with pytest.raises(InvalidParameterError):
        oprf.blind(b"2580", scalar)
    _, blinded = oprf.blind(b"2580")
    with pytest.raises(InvalidParameterError):
        oprf.blind_evaluate(scalar, blinded)


def test_seeds_and_inputs_out_of_range_are_refused() -> None:
    """A seed that is not 32 bytes, or an input over 65535 bytes, is refused."""
    with pytest.raises(InvalidParameterError):
        oprf.derive_key_pair(bytes(31), b"")
    with pytest.raises(InvalidParameterError):
        oprf.blind(bytes(2**16))


def test_a_missing_libsodium_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without pysodium, the first OPRF call raises one sentence naming what to install."""
    sodium._library.cache_clear()
    monkeypatch.setitem(sys.modules, "pysodium", None)
    try:
        with pytest.raises(CryptoBackendError, match="install the system package"):
            oprf.blind(b"2580")
    finally:
        sodium._library.cache_clear()
