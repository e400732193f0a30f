"""Base32 secrets as services and other apps write them: lenient where they are, exact errors."""

import base64
import shutil
import subprocess

import pytest

from otpkeep.errors import InvalidAccountError
from otpkeep.otp.account import MIN_NEW_SECRET_BYTES, check_new_secret, decode_base32
from otpkeep.otp.codes import code_for
from otpkeep.otp.uri import parse_uri

OATHTOOL = shutil.which("oathtool")
# Secrets of 11, 14, 17 and 19 characters: lengths that are no whole number of bytes,
# as 2FAS, Ente, Bitwarden and Authenticator Pro write them.
ODD_SECRETS = ["JBSWY3DPEHP", "JBSWY3DPEHPK3P", "GEZDGNBVGY3TQOJQG", "KRSXG5CTMVRXEZLUKN2"]


def _google_authenticator_decode(text: str) -> bytes:
    """Google Authenticator's Base32String.decode: five bits a character, whole bytes out."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    buffer = bits_left = 0
    out = bytearray()
    for character in text.upper():
        buffer = (buffer << 5) | alphabet.index(character)
        bits_left += 5
        if bits_left >= 8:
            out.append((buffer >> (bits_left - 8)) & 0xFF)
            bits_left -= 8
    return bytes(out)


def _padded_then_cut(text: str) -> bytes:
    """The standard library's strict decoder on the text padded with zero bits, then cut."""
    whole = text + "A" * (-len(text) % 8)
    return base64.b32decode(whole)[: len(text) * 5 // 8]


@pytest.mark.parametrize("secret", ODD_SECRETS)
def test_leftover_bits_are_dropped_as_google_authenticator_does(secret: str) -> None:
    """A secret of 11, 14, 17 or 19 characters decodes to its whole bytes, the rest dropped."""
    assert decode_base32(secret) == _google_authenticator_decode(secret)
    assert decode_base32(secret) == _padded_then_cut(secret)
    assert len(decode_base32(secret)) == len(secret) * 5 // 8


@pytest.mark.skipif(OATHTOOL is None, reason="oathtool is not installed: cross-check skipped")
@pytest.mark.parametrize("secret", ODD_SECRETS)
@pytest.mark.parametrize("at", [0, 59, 1111111109, 2000000000])
def test_codes_of_odd_length_secrets_match_oathtool_given_the_whole_bytes(
    secret: str, at: int
) -> None:
    """The codes of such an account are oathtool's for the key without the leftover bits."""
    assert OATHTOOL is not None
    key = _padded_then_cut(secret).hex()
    expected = subprocess.run(
        [OATHTOOL, "--totp", f"--now=@{at}", key],
        capture_output=True,
        text=True,
        check=True,
        timeout=10,
    ).stdout.strip()
    account = parse_uri(f"otpauth://totp/ACME:ana?secret={secret.lower()}&issuer=ACME")
    assert code_for(account, at) == expected


@pytest.mark.parametrize(
    "written",
    ["jbswy3dpehpk3pxp", "JBSW Y3DP EHPK 3PXP", "JBSW-Y3DP-EHPK-3PXP", "JBSWY3DPEHPK3PXP======"],
)
def test_case_spaces_hyphens_and_padding_are_ignored(written: str) -> None:
    """Lower case, groups separated by spaces or hyphens and any padding read the same."""
    assert decode_base32(written) == b"Hello!\xde\xad\xbe\xef"


@pytest.mark.parametrize(
    ("written", "sentence"),
    [
        ("JBSW0Y3D", "'0' at position 5, which is not base32"),
        ("JBSW0Y3D", "did you mean the letter O?"),
        ("jbsw y3d1", "'1' at position 9"),
        ("JBSWY3DP!", "'!' at position 9"),
        ("JBSW\u00e9Y3D", "'é' at position 5"),
        ("JBSW\x00Y3D", "U+0000 at position 5"),
        ("JBSW==Y3DP", "'=' at position 5 before its end"),
        ("A", "one base32 character long"),
        ("", "empty"),
        ("  ==  ", "empty"),
    ],
)
def test_what_is_wrong_is_said_exactly(written: str, sentence: str) -> None:
    """A refused secret names the character and its position, the padding, or the length."""
    with pytest.raises(InvalidAccountError) as info:
        decode_base32(written)
    assert sentence in str(info.value)
    assert str(info.value).endswith(".")


def test_secrets_shorter_than_the_minimum_are_refused_with_their_length() -> None:
    """A 1- to 5-byte secret is refused naming its length and the minimum; 6 bytes pass."""
    check_new_secret(decode_base32("JBSWY3DPEH"))
    for size in range(1, MIN_NEW_SECRET_BYTES):
        with pytest.raises(InvalidAccountError) as info:
            check_new_secret(bytes(size))
        assert f"is {size} byte" in str(info.value)
        assert f"at least {MIN_NEW_SECRET_BYTES} bytes (10 base32 characters)" in str(info.value)
