"""otpauth:// URIs in Google's Key Uri Format, read and written."""

from urllib.parse import unquote

import pytest
from hypothesis import given
from otp_strategies import accounts

from otpkeep.errors import InvalidURIError
from otpkeep.otp.account import Account, Algorithm, OtpType, decode_base32
from otpkeep.otp.uri import format_uri, parse_uri, parse_uri_lines

SECRET = "JBSWY3DPEHPK3PXP"


def test_a_full_totp_uri_is_read() -> None:
    """Every field of a TOTP URI reaches the account."""
    account = parse_uri(
        f"otpauth://totp/ACME%20Co:john.doe@email.com?secret={SECRET}&issuer=ACME%20Co"
        "&algorithm=SHA256&digits=8&period=60"
    )
    assert account == Account(
        "ACME Co",
        "john.doe@email.com",
        decode_base32(SECRET),
        algorithm=Algorithm.SHA256,
        digits=8,
        period=60,
    )


def test_missing_parameters_take_their_defaults() -> None:
    """Without algorithm, digits, period or issuer: SHA1, 6 digits, 30 s, issuer from the label."""
    account = parse_uri(f"otpauth://totp/Example:alice?secret={SECRET}")
    assert (account.issuer, account.name) == ("Example", "alice")
    assert (account.algorithm, account.digits, account.period) == (Algorithm.SHA1, 6, 30)


@pytest.mark.parametrize(
    ("uri", "issuer", "name"),
    [
        ("otpauth://totp/alice?secret=S&issuer=Example", "Example", "alice"),
        ("otpauth://totp/Label:alice?secret=S&issuer=Param", "Param", "alice"),
        ("otpauth://totp/Example%3Aalice?secret=S", "Example", "alice"),
        ("otpauth://totp/Example:%20%20alice?secret=S", "Example", "alice"),
        ("otpauth://totp/alice?secret=S", "", "alice"),
        ("otpauth://totp/?secret=S&issuer=Example", "Example", ""),
        ("otpauth://totp/Air%20Canada:B?secret=S&issuer=Air+Canada", "Air Canada", "B"),
    ],
)
def test_issuer_comes_from_the_parameter_or_the_label(uri: str, issuer: str, name: str) -> None:
    """The issuer parameter wins over the label prefix; either alone is enough."""
    account = parse_uri(uri.replace("secret=S", f"secret={SECRET}"))
    assert (account.issuer, account.name) == (issuer, name)


def test_hotp_counter_and_lower_case_names_are_read() -> None:
    """HOTP takes its counter; the scheme, type and algorithm may be in any case."""
    account = parse_uri(f"OTPAUTH://HOTP/x?secret={SECRET.lower()}&algorithm=sha512&counter=42")
    assert (account.type, account.counter, account.algorithm) == (
        OtpType.HOTP,
        42,
        Algorithm.SHA512,
    )


@pytest.mark.parametrize(
    "uri",
    [
        f"otpauth://steam/Steam:gaben?secret={SECRET}",
        f"otpauth://totp/Steam:gaben?secret={SECRET}&encoder=steam&digits=5",
    ],
)
def test_steam_uris_make_steam_accounts(uri: str) -> None:
    """Both ways apps write Steam Guard accounts give a five-character Steam account."""
    account = parse_uri(uri)
    assert (account.type, account.digits) == (OtpType.STEAM, 5)


def test_steam_accounts_are_written_as_totp_with_the_steam_encoder() -> None:
    """Apps that know no steam type still see a TOTP URI with encoder=steam."""
    uri = format_uri(Account("Steam", "gaben", b"secret", type=OtpType.STEAM))
    assert uri.startswith("otpauth://totp/Steam:gaben?")
    assert "issuer=Steam" in uri
    assert uri.endswith("&encoder=steam")


@pytest.mark.parametrize(
    "uri",
    [
        "https://example.com/?secret=S",
        "otpauth://motp/x?secret=S",
        "otpauth://totp/x",
        "otpauth://totp/x?secret=",
        "otpauth://totp/x?secret=S&digits=5",
        "otpauth://totp/x?secret=S&digits=11",
        "otpauth://totp/x?secret=S&digits=six",
        "otpauth://totp/x?secret=S&period=0",
        "otpauth://totp/x?secret=S&period=-30",
        "otpauth://hotp/x?secret=S&counter=-1",
        "otpauth://hotp/x?secret=S&counter=1_000",
        "otpauth://hotp/x?secret=S&counter=99999999999999999999",
        "otpauth://totp/x?secret=S&algorithm=MD5",
        "otpauth://totp/a%0Ab?secret=S",
        "otpauth://totp/x?secret=S1S1S1",
    ],
)
def test_malformed_uris_are_refused_without_quoting_the_secret(uri: str) -> None:
    """Each malformed URI raises one sentence that does not contain the secret."""
    secret = "ZZZZ" + SECRET if "S1S1S1" not in uri else "S1S1S1ZZ"
    with pytest.raises(InvalidURIError) as info:
        parse_uri(
            uri.replace("secret=S1S1S1", f"secret={secret}").replace("secret=S", f"secret={secret}")
        )
    message = str(info.value)
    assert message.endswith(".")
    assert message.count(". ") == 0
    assert secret not in message
    assert secret.lower() not in message.lower()


@given(accounts())
def test_formatted_uris_read_back_as_the_same_account(account: Account) -> None:
    """parse_uri(format_uri(a)) == a for every account whose labels do not start with a space."""
    assert parse_uri(format_uri(account)) == account


def test_a_text_of_uris_skips_blank_lines_and_comments() -> None:
    """One URI a line; blank lines and # comments are ignored."""
    text = f"# exported\n\notpauth://totp/A:a?secret={SECRET}\n  \n otpauth://hotp/B:b?secret={SECRET}\n"
    assert [(a.issuer, a.type) for a in parse_uri_lines(text)] == [
        ("A", OtpType.TOTP),
        ("B", OtpType.HOTP),
    ]


def test_an_error_in_a_text_of_uris_names_the_line() -> None:
    """The line number tells the person where to look."""
    text = f"otpauth://totp/A:a?secret={SECRET}\n\notpauth://totp/B:b?digits=6\n"
    with pytest.raises(InvalidURIError, match=r"^Line 3: .*no secret\.$"):
        parse_uri_lines(text)


@pytest.mark.parametrize("parameter", ["algorithm", "digits", "period", "secret", "issuer"])
def test_a_parameter_given_twice_with_different_values_is_refused_by_name(parameter: str) -> None:
    """algorithm=SHA1&...&algorithm=SHA256 is ambiguous: refused, naming the parameter."""
    values = {
        "algorithm": ("SHA1", "SHA256"),
        "digits": ("6", "8"),
        "period": ("30", "60"),
        "secret": (SECRET, "GEZDGNBVGY3TQOJQ"),
        "issuer": ("ACME", "Other"),
    }[parameter]
    uri = f"otpauth://totp/ACME:ana?secret={SECRET}&{parameter}={values[0]}"
    uri += f"&{parameter.upper()}={values[1]}"
    with pytest.raises(InvalidURIError) as info:
        parse_uri(uri)
    assert f"'{parameter}' parameter twice" in str(info.value)
    assert SECRET not in str(info.value)


def test_a_parameter_repeated_with_the_same_value_is_read() -> None:
    """The same value written twice is not ambiguous."""
    account = parse_uri(f"otpauth://totp/A:b?secret={SECRET}&digits=8&digits=8")
    assert account.digits == 8


def test_null_parameters_as_ente_writes_them_take_their_defaults() -> None:
    """algorithm=null&digits=null&period=null (Ente's export) mean SHA1, 6 digits, 30 s."""
    account = parse_uri(
        f"otpauth://totp/Deno:Mason?secret={SECRET}&issuer=Deno"
        "&algorithm=null&digits=null&period=null&codeDisplay=%7B%7D"
    )
    assert account == Account("Deno", "Mason", decode_base32(SECRET))
    hotp = parse_uri(f"otpauth://hotp/A:b?secret={SECRET}&counter=null&digits=NULL")
    assert (hotp.counter, hotp.digits) == (0, 6)


def test_steam_guard_codes_are_five_characters_every_30_seconds_whatever_the_uri_says() -> None:
    """encoder=steam with period=15&digits=7 gives Steam's codes: 5 characters, 30 s, SHA1."""
    account = parse_uri(
        f"otpauth://totp/Steam:gaben?secret={SECRET}&encoder=steam&period=15&digits=7"
        "&algorithm=SHA512"
    )
    assert (account.type, account.digits, account.period) == (OtpType.STEAM, 5, 30)
    assert account.algorithm is Algorithm.SHA1
    plain = parse_uri(f"otpauth://totp/Steam:gaben?secret={SECRET}&encoder=steam")
    assert account == plain


@pytest.mark.parametrize(
    ("issuer", "name"),
    [("Work: GitLab", "ana@example.com"), ("a:b:c", "ana"), ("Work: GitLab", "")],
)
def test_an_issuer_with_a_colon_is_kept_out_of_the_label(issuer: str, name: str) -> None:
    """The label holds no colon a strict reader would split on; the issuer travels alone."""
    uri = format_uri(Account(issuer, name, decode_base32(SECRET)))
    label = unquote(uri.split("?", 1)[0].removeprefix("otpauth://totp/"))
    assert label == name
    assert parse_uri(uri) == Account(issuer, name, decode_base32(SECRET))
