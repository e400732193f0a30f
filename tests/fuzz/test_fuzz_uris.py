"""The URI parsers refuse hostile text with otpkeep's own errors, and nothing else."""

from __future__ import annotations

import base64
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from otpkeep.errors import OtpkeepError
from otpkeep.otp.account import Account, OtpType
from otpkeep.otp.label import split_label
from otpkeep.otp.migration import decode_migration_uri, encode_migration_uris
from otpkeep.otp.uri import format_uri, parse_uri, parse_uri_lines

ACCOUNTS = [
    Account("Heroku", "ops@example.com", b"0123456789abcdef0123"),
    Account("Quip", "me", b"abcdefghij", type=OtpType.HOTP, counter=7),
]
KEYS = ["secret", "issuer", "algorithm", "digits", "period", "counter", "encoder", "image"]
VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["SHA1", "sha256", "SHA512", "MD5", "", "JBSWY3DPEHPK3PXP", "steam", "%zz"]),
)


def _refused_or_read(call: object, *args: object) -> None:
    try:
        call(*args)  # type: ignore[operator]
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_an_account_or_an_invalid_uri(text: str) -> None:
    """Arbitrary text, bare or behind the otpauth scheme, parses or raises an otpkeep error."""
    _refused_or_read(parse_uri, text)
    _refused_or_read(parse_uri, "otpauth://" + text)
    _refused_or_read(parse_uri_lines, text)
    _refused_or_read(split_label, text)


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["totp", "hotp", "steam", "TOTP", "", "x"]),
    st.text(max_size=30),
    st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6),
)
def test_otpauth_uris_with_hostile_parameters_are_refused_cleanly(
    kind: str, label: str, params: dict[str, str]
) -> None:
    """Well-shaped otpauth URIs with hostile parameters raise only otpkeep errors."""
    query = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
    uri = f"otpauth://{kind}/{quote(label, safe=':@')}?{query}"
    try:
        account = parse_uri(uri)
    except OtpkeepError as exc:
        message = str(exc)
        assert message, "every otpkeep error carries a sentence"
        return
    assert parse_uri(format_uri(account)) == account


def _migration_data(batch_id: int) -> bytes:
    uri = encode_migration_uris(ACCOUNTS, batch_id=batch_id)[0]
    payload = uri.split("data=", 1)[1]
    from urllib.parse import unquote  # noqa: PLC0415 - only this helper needs it

    return base64.b64decode(unquote(payload))


VALID_MIGRATION = _migration_data(4242)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_damaged_migration_payloads_raise_only_otpkeep_errors(data: st.DataObject) -> None:
    """A Google Authenticator export with flipped, cut or inserted protobuf bytes never crashes."""
    mutated = bytearray(VALID_MIGRATION)
    for _ in range(data.draw(st.integers(1, 5))):
        if not mutated:
            break
        where = data.draw(st.integers(0, len(mutated) - 1))
        action = data.draw(st.sampled_from(["flip", "cut", "insert", "varint"]))
        if action == "flip":
            mutated[where] ^= data.draw(st.integers(1, 255))
        elif action == "cut":
            del mutated[where:]
        elif action == "insert":
            mutated[where:where] = data.draw(st.binary(min_size=1, max_size=8))
        else:
            mutated[where:where] = b"\xff" * data.draw(st.integers(1, 12))
    encoded = quote(base64.b64encode(bytes(mutated)).decode(), safe="")
    _refused_or_read(decode_migration_uri, f"otpauth-migration://offline?data={encoded}")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["", "%3D", "=="]), st.booleans())
def test_arbitrary_migration_data_raises_only_otpkeep_errors(
    payload: bytes, padding: str, urlsafe: bool
) -> None:
    """Random bytes as the data of an export URI, in either base64 alphabet, never crash."""
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    text = encode(payload).decode().rstrip("=") + padding
    _refused_or_read(decode_migration_uri, f"otpauth-migration://offline?data={text}")
    _refused_or_read(decode_migration_uri, f"otpauth-migration://offline?data={payload!r}")
