"""Structure-aware fuzzing of the importers: valid exports with one value swapped for any JSON.

The byte-level fuzzing lives beside the importers (tests/unit/importers/test_fuzz.py);
this one keeps the documents well-formed JSON and changes what sits at one path, the
kind of damage a hand-edited or foreign-version export has, and also forces each format
on input that is not of it.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otpkeep.crypto.kdf import KdfParams
from otpkeep.errors import OtpkeepError
from otpkeep.otp.account import Account, OtpType
from otpkeep.otp.exporters import export
from otpkeep.otp.importers import formats, read_export

ACCOUNTS = [
    Account("Tableau", "analyst", b"0123456789"),
    Account("MuleSoft", "dev", b"abcdefghijklmnop", type=OtpType.HOTP, counter=2),
]
JSON_EXPORTS = [
    json.loads(export(ACCOUNTS, "aegis")[0].data),
    json.loads(export(ACCOUNTS, "2fas")[0].data),
]
SEALED = export(ACCOUNTS, "otpkeep", password="pw", kdf=KdfParams(memory_kib=64, iterations=1))
ANY_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``document``."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


def _replace(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    copy = json.loads(json.dumps(document))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return copy


def _read(data: bytes, **options: Any) -> None:
    try:
        read_export(data, password=lambda: "pw", **options)
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(JSON_EXPORTS), st.data(), ANY_JSON)
def test_one_value_swapped_for_any_json_raises_only_otpkeep_errors(
    document: Any, data: st.DataObject, value: Any
) -> None:
    """An export whose value at any path became any JSON value is read or refused cleanly."""
    path = data.draw(st.sampled_from(_paths(document)))
    _read(json.dumps(_replace(document, path, value)).encode())


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(formats()), st.binary(max_size=512) | st.sampled_from([b"{}", b"[]", b"<map/>"])
)
def test_forcing_any_format_on_any_bytes_raises_only_otpkeep_errors(name: str, data: bytes) -> None:
    """``--format NAME`` on bytes of another kind is refused with an otpkeep error."""
    _read(data, format=name)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, max(0, len(SEALED[0].data) - 1)), st.integers(1, 255))
def test_a_flipped_byte_in_an_encrypted_otpkeep_export_is_refused(where: int, flip: int) -> None:
    """Any single flipped byte of an encrypted otpkeep export is refused, never read wrongly."""
    damaged = bytearray(SEALED[0].data)
    damaged[where] ^= flip
    try:
        report = read_export(bytes(damaged), password=lambda: "pw")
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"
        return
    assert [entry.account for entry in report.entries if entry.account] == ACCOUNTS
