"""Damaged and hostile input: importers raise only otpkeep errors, whatever the bytes."""

import json

import made_exports as exports
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from otpkeep.crypto.kdf import KdfParams
from otpkeep.errors import OtpkeepError
from otpkeep.otp.account import Account, OtpType
from otpkeep.otp.exporters import export
from otpkeep.otp.importers import read_export, read_text

ITEMS = [
    Account("Deno", "Mason", b"0123456789"),
    Account("Issuu", "James", b"abcdefghij", type=OtpType.HOTP, counter=3),
]
VALID = [
    export(ITEMS, "aegis")[0].data,
    export(ITEMS, "2fas")[0].data,
    export(ITEMS, "otpauth")[0].data,
    export(ITEMS, "otpkeep", password="pw", kdf=KdfParams(memory_kib=64, iterations=1))[0].data,
    exports.andotp_plain(ITEMS),
    exports.andotp_encrypted(exports.andotp_plain(ITEMS), "pw"),
    exports.stratum_json(ITEMS),
    exports.freeotp_backup(ITEMS, "pw", iterations=1),
    exports.prefs({"Deno:Mason": json.dumps(exports.freeotp_token(ITEMS[0]))}),
    exports.google_authenticator_db([("Deno:Mason", "GEZDGNBV", 0, 0, "Deno")]),
    exports.battle_net("EU-1", b"\x01" * 20),
    exports.totp_authenticator(ITEMS, "pw"),
]


def _read(data: bytes) -> None:
    try:
        read_export(data, password=lambda: "pw")
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_raise_only_otpkeep_errors(data: bytes) -> None:
    """Random bytes are refused with an otpkeep error or read; nothing else escapes."""
    _read(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(VALID), st.data())
def test_mutated_exports_raise_only_otpkeep_errors(valid: bytes, data: st.DataObject) -> None:
    """Flipped, cut or inserted bytes in a valid export never raise a foreign exception."""
    mutated = bytearray(valid)
    for _ in range(data.draw(st.integers(1, 4))):
        if not mutated:
            break
        where = data.draw(st.integers(0, len(mutated) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip":
            mutated[where] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del mutated[where:]
        else:
            mutated[where:where] = data.draw(st.binary(min_size=1, max_size=8))
    _read(bytes(mutated))


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "header",
                        "db",
                        "services",
                        "schemaVersion",
                        "entries",
                        "secret",
                        "type",
                        "otp",
                        "items",
                        "encrypted",
                        "Authenticators",
                        "tokens",
                        "tokenOrder",
                        "accounts",
                        "shared_secret",
                        "otpGenerator",
                        "version",
                        "content",
                    ]
                ),
                inner,
                max_size=5,
            )
        ),
        max_leaves=20,
    )
)
def test_odd_json_documents_raise_only_otpkeep_errors(doc: object) -> None:
    """JSON shaped like the known formats but with wrong types is refused cleanly."""
    _read(json.dumps(doc).encode())


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_otpkeep_errors(text: str) -> None:
    """Pasted text of any kind is read or refused with an otpkeep error."""
    try:
        read_text("otpauth://" + text)
        read_text(text)
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"
