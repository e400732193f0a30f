"""Argon2id key stretching: defaults, parameters carried with the data, refusals."""

import pytest

from otpkeep.crypto.kdf import KdfParams, stretch
from otpkeep.errors import InvalidParameterError

SMALL = KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"0123456789abcdef")


def test_the_defaults_are_64_mib_three_passes_one_lane() -> None:
    """The default parameters are RFC 9106's second recommendation, version 0x13."""
    params = KdfParams()
    assert (params.memory_kib, params.iterations, params.lanes, params.version) == (
        65536,
        3,
        1,
        0x13,
    )


def test_with_new_salt_keeps_the_parameters_and_draws_16_bytes() -> None:
    """A new salt is 16 random bytes; the cost parameters are unchanged."""
    first, second = KdfParams().with_new_salt(), KdfParams().with_new_salt()
    assert len(first.salt) == 16
    assert first.salt != second.salt
    assert first.memory_kib == 65536
    assert KdfParams().with_new_salt(rng=lambda n: b"s" * n).salt == b"s" * 16


def test_stretch_is_deterministic_and_32_bytes() -> None:
    """The same secret and parameters stretch to the same 32 bytes."""
    assert stretch(b"secret", SMALL) == stretch(b"secret", SMALL)
    assert len(stretch(b"secret", SMALL)) == 32


@pytest.mark.parametrize(
    "changed",
    [
        KdfParams(memory_kib=128, iterations=1, lanes=1, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=2, lanes=1, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=1, lanes=2, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=1, lanes=1, salt=b"another salt 16b"),
    ],
)
def test_every_parameter_changes_the_result(changed: KdfParams) -> None:
    """Memory, passes, lanes and salt each enter the derivation."""
    assert stretch(b"secret", changed) != stretch(b"secret", SMALL)


@pytest.mark.parametrize(
    "params",
    [
        KdfParams(memory_kib=64, iterations=1, salt=b""),
        KdfParams(memory_kib=64, iterations=1, salt=b"short"),
        KdfParams(memory_kib=4, iterations=1, salt=SMALL.salt),
        KdfParams(memory_kib=5 * 1024 * 1024, iterations=1, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=0, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=65, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=1, lanes=0, salt=SMALL.salt),
        KdfParams(memory_kib=64, iterations=1, version=0x10, salt=SMALL.salt),
    ],
)
def test_parameters_out_of_range_are_refused(params: KdfParams) -> None:
    """A missing salt, or costs too small or too large, raise InvalidParameterError."""
    with pytest.raises(InvalidParameterError):
        stretch(b"secret", params)


def test_parameters_are_immutable_values() -> None:
    """KdfParams is a plain frozen value: it compares by value and cannot be changed."""
    assert KdfParams() == KdfParams()
    with pytest.raises(AttributeError):
        KdfParams().memory_kib = 1  # type: ignore[misc]
