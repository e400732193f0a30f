"""The vault reader refuses any damaged or hostile vault with otpkeep errors, never crashes.

Two layers: the file (magic line, header line, sealed envelope) with bytes flipped, cut
or inserted; and the sealed payload itself, sealed with the right device key but holding
JSON of any shape, as a vault from a buggy or foreign writer would.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otpkeep.crypto import envelope
from otpkeep.device.vault import Vault
from otpkeep.device.vault.file import read_file
from otpkeep.device.vault.state import VaultState
from otpkeep.errors import OtpkeepError
from otpkeep.otp.account import Account

HOME = Path(tempfile.mkdtemp(prefix="otpkeep-fuzz-vault-"))
VAULT = Vault(HOME, keystore="file")
with VAULT.transaction() as contents:
    contents.add(Account("Heroku", "ops", b"0123456789"), now=1_700_000_000)
    contents.state = VaultState({"backup": {"email": "ops@example.com", "version": 3}})
VALID = VAULT.path.read_bytes()
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
FIELDS = st.sampled_from(
    [
        "schema",
        "accounts",
        "state",
        "id",
        "account",
        "updated_at",
        "deleted",
        "secret",
        "issuer",
        "name",
        "algorithm",
        "digits",
        "period",
        "counter",
        "type",
    ]
)


def _load(raw: bytes) -> None:
    VAULT.path.write_bytes(raw)
    try:
        for stored in Vault(HOME).load().live():  # accounts are read when asked for
            assert stored.account is not None
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_vault_files_raise_only_otpkeep_errors(data: st.DataObject) -> None:
    """Flipped, cut or inserted bytes anywhere in the vault file raise only otpkeep errors."""
    mutated = bytearray(VALID)
    for _ in range(data.draw(st.integers(1, 3))):
        if not mutated:
            break
        where = data.draw(st.integers(0, len(mutated) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            mutated[where] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del mutated[where:]
        else:
            mutated[where:where] = data.draw(st.binary(min_size=1, max_size=16))
    _load(bytes(mutated))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.text(max_size=200))
def test_foreign_files_and_headers_raise_only_otpkeep_errors(tail: bytes, header: str) -> None:
    """Any bytes, or the magic line followed by any header line, raise only otpkeep errors."""
    _load(tail)
    _load(b"otpkeep-vault\n" + header.encode("utf-8", "replace") + b"\n" + tail)


def _seal(payload: Any) -> bytes:
    found = read_file(VAULT.path)
    assert found is not None
    header = found[0]
    associated = header.encode()
    body = json.dumps(payload).encode()
    return associated + envelope.seal(VAULT._device_key(header), body, associated_data=associated)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(ANY_JSON, st.dictionaries(FIELDS, ANY_JSON, max_size=4)), st.booleans())
def test_sealed_payloads_of_any_shape_raise_only_otpkeep_errors(payload: Any, schema: bool) -> None:
    """A vault sealed with the right key but holding any JSON is read or refused as corrupt."""
    if schema and isinstance(payload, dict):
        payload = {"schema": 1, **payload}
    VAULT.path.write_bytes(VALID)
    _load(_seal(payload))


def test_the_unmodified_vault_still_opens() -> None:
    """The fuzzing base is a vault that opens, so the refusals above are about the damage."""
    VAULT.path.write_bytes(VALID)
    loaded = Vault(HOME).load()
    assert [stored.account.issuer for stored in loaded.live() if stored.account] == ["Heroku"]
