"""The account model: what is accepted, what is refused, and how secrets are written."""

import pytest

from otpkeep.errors import InvalidAccountError
from otpkeep.otp.account import Account, Algorithm, OtpType, decode_base32, encode_base32


def test_base32_is_accepted_as_people_write_it() -> None:
    """Lower case, spaces, hyphens and padding all decode to the same secret."""
    expected = decode_base32("JBSWY3DPEHPK3PXP")
    for written in (
        "jbswy3dpehpk3pxp",
        "JBSW Y3DP EHPK 3PXP",
        "JBSW-Y3DP-EHPK-3PXP",
        "JBSWY3DPEHPK3PXP====",
    ):
        assert decode_base32(written) == expected
    assert encode_base32(expected) == "JBSWY3DPEHPK3PXP"


@pytest.mark.parametrize("bad", ["", "   ", "JBSWY3DP1", "not base32!", "===="])
def test_bad_base32_is_refused_with_a_sentence(bad: str) -> None:
    """Anything that is not base32 is refused with one sentence."""
    with pytest.raises(InvalidAccountError) as info:
        decode_base32(bad)
    assert str(info.value).endswith(".")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sha1", Algorithm.SHA1), ("SHA-256", Algorithm.SHA256), ("HmacSHA512", Algorithm.SHA512)],
)
def test_algorithm_names_are_normalised(text: str, expected: Algorithm) -> None:
    """The spellings other apps use map to the three supported hashes."""
    assert Algorithm.parse(text) is expected


def test_unsupported_algorithm_is_refused() -> None:
    """MD5 is not an algorithm of RFC 6238."""
    with pytest.raises(InvalidAccountError, match="Unsupported algorithm"):
        Algorithm.parse("MD5")


@pytest.mark.parametrize(
    "changes",
    [
        {"digits": 5},
        {"digits": 11},
        {"period": 0},
        {"counter": -1},
        {"secret": b""},
        {"name": "a\nb"},
    ],
)
def test_out_of_range_fields_are_refused(changes: dict[str, object]) -> None:
    """Digits 6-10, a positive period, a non-negative counter, a secret and a printable label."""
    fields: dict[str, object] = {
        "issuer": "Example",
        "name": "alice",
        "secret": b"12345678901234567890",
    }
    fields.update(changes)
    with pytest.raises(InvalidAccountError):
        Account(**fields)  # type: ignore[arg-type]


def test_steam_accounts_always_have_five_characters() -> None:
    """Steam Guard codes are five characters whatever the source said."""
    account = Account("Steam", "gaben", b"secret-bytes", type=OtpType.STEAM, digits=6)
    assert account.digits == 5


def test_repr_never_shows_the_secret() -> None:
    """A secret in a log line through repr() would be a leak."""
    account = Account("Example", "alice", b"super-secret-value")
    assert "super-secret" not in repr(account)


def test_identity_ignores_case_of_labels() -> None:
    """The same secret, issuer and name is the same account, whatever the case."""
    a = Account("GitHub", "Alice", b"k" * 10)
    b = Account("github", "alice", b"k" * 10)
    assert a.identity() == b.identity()
    assert a.matches("git")
    assert a.matches("ALI")
    assert not a.matches("bob")


@pytest.mark.parametrize(
    "changes",
    [
        {"algorithm": Algorithm.SHA256},
        {"digits": 8},
        {"period": 60},
        {"type": OtpType.HOTP},
        {"type": OtpType.STEAM},
        {"name": "bob"},
    ],
)
def test_accounts_with_other_codes_or_another_label_are_not_duplicates(
    changes: dict[str, object],
) -> None:
    """The same secret with any other setting, or under another name, is another account."""
    account = Account("GitHub", "Alice", b"k" * 10)
    assert account.replace(**changes).duplicate_key() != account.duplicate_key()
    assert account.replace(issuer="GITHUB", name="alice").duplicate_key() == account.duplicate_key()


def test_hotp_duplicates_depend_on_the_counter_not_the_period() -> None:
    """Two HOTP accounts at other counters give other codes; the unused period does not count."""
    hotp = Account("Bank", "me", b"k" * 10, type=OtpType.HOTP, counter=3)
    assert hotp.replace(counter=4).duplicate_key() != hotp.duplicate_key()
    assert hotp.replace(period=60).duplicate_key() == hotp.duplicate_key()


def test_control_characters_are_refused_with_a_sentence() -> None:
    """A tab, a line break or a C1 control in a label is refused, saying what to do."""
    for text in ("a\tb", "a\nb", "a\x85b", "a\x7fb"):
        with pytest.raises(InvalidAccountError, match="control characters"):
            Account(text, "me", b"k" * 10)
