"""Google Authenticator export URIs (otpauth-migration://) and the protobuf codec under them."""

import base64
import contextlib
from urllib.parse import quote, unquote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from otp_strategies import accounts

from otpkeep.errors import InvalidInputError, InvalidURIError
from otpkeep.otp import protobuf
from otpkeep.otp.account import Account, Algorithm, OtpType
from otpkeep.otp.migration import decode_migration_uri, encode_migration_uris


def _uri(payload: bytes) -> str:
    return "otpauth-migration://offline?data=" + quote(base64.b64encode(payload).decode())


def _parameters(*fields: bytes) -> bytes:
    return protobuf.bytes_field(1, b"".join(fields))


def test_a_hand_built_payload_is_read_field_by_field() -> None:
    """Secret, name, issuer, algorithm, digits, type, counter and the batch fields all arrive."""
    entry = _parameters(
        protobuf.bytes_field(1, b"\x01\x02\x03\x04"),
        protobuf.bytes_field(2, b"Example:alice"),
        protobuf.bytes_field(3, b"Example"),
        protobuf.varint_field(4, 3),
        protobuf.varint_field(5, 2),
        protobuf.varint_field(6, 1),
        protobuf.varint_field(7, 9),
    )
    payload = entry + b"".join(
        protobuf.varint_field(number, value) for number, value in [(2, 1), (3, 4), (4, 2), (5, -7)]
    )
    batch = decode_migration_uri(_uri(payload))
    assert batch.accounts == (
        Account(
            "Example",
            "alice",
            b"\x01\x02\x03\x04",
            type=OtpType.HOTP,
            algorithm=Algorithm.SHA512,
            digits=8,
            counter=9,
        ),
    )
    assert (batch.batch_index, batch.batch_size, batch.batch_id) == (2, 4, -7)


@pytest.mark.parametrize(
    ("name", "issuer", "expected"),
    [
        (b"alice", b"Example", ("Example", "alice")),
        (b"Example:alice", b"", ("Example", "alice")),
        (b"Label: alice", b"Other", ("Other", "alice")),
        (b"alice", b"", ("", "alice")),
    ],
)
def test_the_name_field_is_split_as_google_writes_it(
    name: bytes, issuer: bytes, expected: tuple[str, str]
) -> None:
    """The name holds "Issuer:name" or just the name; the issuer field wins."""
    entry = _parameters(
        protobuf.bytes_field(1, b"k"),
        protobuf.bytes_field(2, name),
        protobuf.bytes_field(3, issuer),
    )
    (account,) = decode_migration_uri(_uri(entry)).accounts
    assert (account.issuer, account.name) == expected


def test_unknown_fields_of_every_wire_type_are_skipped() -> None:
    """Fields the decoder does not know (varint, 64-bit, bytes, 32-bit) change nothing."""
    unknown = (
        protobuf.varint_field(15, 2**63)
        + protobuf.write_varint(16 << 3 | protobuf.FIXED64)
        + b"\xff" * 8
        + protobuf.bytes_field(17, b"\x08\x96\x01")
        + protobuf.write_varint(18 << 3 | protobuf.FIXED32)
        + b"\xff" * 4
    )
    plain = _parameters(protobuf.bytes_field(1, b"key"), protobuf.bytes_field(2, b"alice"))
    noisy = _parameters(
        unknown, protobuf.bytes_field(1, b"key"), unknown, protobuf.bytes_field(2, b"alice")
    )
    assert decode_migration_uri(_uri(noisy + unknown)) == decode_migration_uri(_uri(plain))


def test_unescaped_base64_and_missing_padding_are_accepted() -> None:
    """A raw "+" (read as a space by form decoding) and unpadded base64 still decode."""
    entry = _parameters(protobuf.bytes_field(1, b">>>"), protobuf.bytes_field(2, b"a"))
    raw = base64.b64encode(entry).decode().rstrip("=")
    assert "+" in raw
    (account,) = decode_migration_uri(f"otpauth-migration://offline?data={raw}").accounts
    assert account.secret == b">>>"


@given(
    st.lists(accounts(google=True), max_size=25),
    st.integers(-(2**31), 2**31 - 1),
    st.integers(1, 10),
)
def test_encoded_exports_decode_to_the_same_accounts(
    exported: list[Account], batch_id: int, per_batch: int
) -> None:
    """Every account comes back, in order, split into batches that say their place."""
    uris = encode_migration_uris(exported, batch_id=batch_id, max_per_batch=per_batch)
    batches = [decode_migration_uri(uri) for uri in uris]
    assert [a for batch in batches for a in batch.accounts] == exported
    assert [batch.batch_index for batch in batches] == list(range(len(uris)))
    assert {(batch.batch_size, batch.batch_id) for batch in batches} <= {(len(uris), batch_id)}
    assert all(len(batch.accounts) <= per_batch for batch in batches)


@pytest.mark.parametrize(
    ("account", "reason"),
    [
        (Account("Steam", "gaben", b"k", type=OtpType.STEAM), "Steam Guard"),
        (Account("Example", "seven", b"k", digits=7), "7-digit"),
        (Account("Example", "ten", b"k", digits=10), "10-digit"),
        (Account("Example", "slow", b"k", period=60), "period of 60 seconds"),
        (Account("Example", "far", b"k", type=OtpType.HOTP, counter=2**63), "counter above"),
    ],
)
def test_accounts_google_cannot_carry_are_refused_by_name(account: Account, reason: str) -> None:
    """The error names the account and what Google's format lacks."""
    fine = Account("Example", "fine", b"k")
    with pytest.raises(InvalidInputError) as info:
        encode_migration_uris([fine, account], batch_id=1)
    assert account.label in str(info.value)
    assert reason in str(info.value)


@pytest.mark.parametrize(
    "uri",
    [
        "otpauth://offline?data=AAAA",
        "otpauth-migration://offline",
        "otpauth-migration://offline?data=",
        "otpauth-migration://offline?data=%%%%",
        "otpauth-migration://offline?data=A",
        _uri(b"\x0a\x05\x0a"),  # truncated embedded message
        _uri(b"\x0a\x03\x0b\x00\x00"),  # group wire type
        _uri(b"\x08" + b"\xff" * 11),  # varint longer than ten bytes
        _uri(b"\x0a\x04\x12\x02\xff\xfe"),  # a name that is not UTF-8
        _uri(_parameters(protobuf.bytes_field(1, b"k"), protobuf.varint_field(4, 4))),  # MD5
        _uri(_parameters(protobuf.bytes_field(1, b"k"), protobuf.varint_field(5, 3))),
        _uri(_parameters(protobuf.bytes_field(1, b"k"), protobuf.varint_field(6, 9))),
        _uri(_parameters(protobuf.bytes_field(2, b"no secret"))),
        _uri(
            _parameters(
                protobuf.bytes_field(1, b"k"),
                protobuf.varint_field(6, 1),
                protobuf.varint_field(7, -1),
            )
        ),
        _uri(_parameters(protobuf.varint_field(1, 5))),  # a secret that is not bytes
    ],
)
def test_malformed_exports_are_refused(uri: str) -> None:
    """Wrong scheme, bad base64, damaged protobuf and invalid accounts raise InvalidURIError."""
    with pytest.raises(InvalidURIError) as info:
        decode_migration_uri(uri)
    assert str(info.value).endswith(".")


@given(st.binary(max_size=300))
def test_arbitrary_data_raises_nothing_but_invalid_uri(data: bytes) -> None:
    """Whatever the bytes, the decoder returns a batch or raises InvalidURIError."""
    with contextlib.suppress(InvalidURIError):
        decode_migration_uri(_uri(data))


@given(st.integers(0, 2**64 - 1))
def test_varints_read_back(value: int) -> None:
    """Every unsigned 64-bit value survives write_varint and read_varint."""
    encoded = protobuf.write_varint(value)
    assert protobuf.read_varint(encoded, 0) == (value, len(encoded))


@given(st.integers(-(2**63), 2**63 - 1))
def test_negative_int64_uses_ten_bytes_and_reads_back(value: int) -> None:
    """Negative numbers are ten-byte two's complement, as protobuf writes int64."""
    encoded = protobuf.write_varint(value)
    assert protobuf.as_int64(protobuf.read_varint(encoded, 0)[0]) == value
    assert len(encoded) == 10 or value >= 0


def test_an_issuer_with_a_colon_is_kept_out_of_the_name_field() -> None:
    """Google's name field holds the account name alone when the issuer has a colon."""
    account = Account("Work: GitLab", "ana@example.com", b"0123456789")
    (uri,) = encode_migration_uris([account], batch_id=1)
    data = base64.b64decode(unquote(uri.split("data=", 1)[1]))
    entry = next(value for number, _, value in protobuf.fields(data) if number == 1)
    assert isinstance(entry, bytes)
    names = [value for number, _, value in protobuf.fields(entry) if number == 2]
    assert names == [b"ana@example.com"]
    assert decode_migration_uri(uri).accounts == (account,)
