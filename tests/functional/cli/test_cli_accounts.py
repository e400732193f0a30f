"""``otpkeep add | list | code | remove`` through the real entry point."""

from __future__ import annotations

import subprocess
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import Cli

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 4226/6238
STEAM_ALPHABET = set("23456789BCDFGHJKMNPQRTVWXY")


def test_added_accounts_are_listed_without_secrets(cli: Cli) -> None:
    """Both ways of adding work, and list shows every field but the secret."""
    cli.ok("add", f"otpauth://totp/ACME:bob?secret={RFC_SECRET}&issuer=ACME&digits=8")
    cli.ok("add", "--issuer", "GitHub", "--name", "alice", "--secret", "jbsw y3dp ehpk 3pxp====")
    listed = cli.json("list")
    assert [(item["issuer"], item["name"], item["digits"]) for item in listed] == [
        ("ACME", "bob", 8),
        ("GitHub", "alice", 6),
    ]
    assert listed[1] | {"id": "x"} == {
        "id": "x",
        "issuer": "GitHub",
        "name": "alice",
        "type": "totp",
        "algorithm": "SHA1",
        "digits": 6,
        "period": 30,
    }
    table = cli.ok("list")
    assert "GitHub" in table
    assert "ACME" in table
    for shown in (cli.ok("list", "--json"), table, cli.ok("code")):
        assert RFC_SECRET not in shown
        assert "JBSW" not in shown.upper().replace(" ", "")


def test_adding_the_same_account_twice_keeps_one(cli: Cli) -> None:
    """The same secret, issuer and name is reported and not doubled."""
    cli.ok("add", "--issuer", "GitHub", "--name", "alice", "--secret", RFC_SECRET)
    out = cli.ok("add", "--issuer", "GitHub", "--name", "alice", "--secret", RFC_SECRET.lower())
    assert "Already" in out
    assert len(cli.json("list")) == 1


def test_totp_codes_match_rfc_6238_with_leading_zeros(cli: Cli) -> None:
    """code --at gives the RFC 6238 code as a string, zeros kept, and its seconds left."""
    cli.ok("add", "--issuer", "RFC", "--name", "six", "--secret", RFC_SECRET)
    cli.ok("add", "--issuer", "RFC", "--name", "eight", "--secret", RFC_SECRET, "--digits", "8")
    [six] = cli.json("code", "six", "--at", "1111111109")
    assert (six["code"], six["valid_for"]) == ("081804", 1)
    [eight] = cli.json("code", "eight", "--at", "59")
    assert (eight["code"], eight["valid_for"], eight["period"]) == ("94287082", 1, 30)
    [later] = cli.json("code", "eight", "--at", "1234567895")
    assert (later["code"], later["valid_for"]) == ("89005924", 25)
    assert "081804" in cli.ok("code", "six", "--at", "1111111109")


def test_sha256_accounts_follow_rfc_6238(cli: Cli) -> None:
    """--algorithm SHA256 with the RFC's 32-byte key gives the RFC's code."""
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
    cli.ok("add", "--issuer", "R", "--name", "n", "--secret", secret)
    cli.ok(
        "add", "--issuer", "R", "--name", "s", "--secret", secret, "--algorithm", "sha256",
        "--digits", "8",
    )  # fmt: skip
    [item] = cli.json("code", "s", "--at", "1111111109")
    assert (item["algorithm"], item["code"]) == ("SHA256", "68084774")


def test_naming_one_hotp_account_uses_its_code_and_saves_the_counter(cli: Cli) -> None:
    """Each code for one HOTP account is the next RFC 4226 code; the counter is saved."""
    cli.ok("add", "--issuer", "Bank", "--name", "me", "--secret", RFC_SECRET, "--counter", "0")
    codes = [cli.json("code", "bank")[0]["code"] for _ in range(3)]
    assert codes == ["755224", "287082", "359152"]
    [listed] = cli.json("list")
    assert listed["counter"] == 3
    assert listed["type"] == "hotp"


def test_a_listing_shows_hotp_codes_without_advancing(cli: Cli) -> None:
    """Codes of several accounts show the HOTP code for the current counter and keep it."""
    cli.ok("add", "--issuer", "Bank", "--name", "me", "--secret", RFC_SECRET, "--counter", "5")
    cli.ok("add", "--issuer", "Mail", "--name", "me", "--secret", RFC_SECRET)
    for _ in range(2):
        items = cli.json("code")
        assert items[0]["code"] == "254676"
        assert "valid_for" not in items[0]
        assert "valid_for" in items[1]
    assert cli.json("list")[0]["counter"] == 5


def test_steam_accounts_give_steam_guard_codes(cli: Cli) -> None:
    """A Steam account's code is five characters of Steam's alphabet."""
    cli.ok("add", f"otpauth://totp/Steam:me?secret={RFC_SECRET}&issuer=Steam&encoder=steam")
    codes = {cli.json("code", "steam", "--at", str(at))[0]["code"] for at in (0, 30, 60, 90)}
    assert len(codes) > 1
    for code in codes:
        assert len(code) == 5
        assert set(code) <= STEAM_ALPHABET
    assert cli.json("list")[0]["type"] == "steam"


def test_an_ambiguous_query_lists_the_matches_and_exits_2(cli: Cli) -> None:
    """remove with a query that names several accounts lists them and changes nothing."""
    cli.ok("add", "--issuer", "Google", "--name", "work", "--secret", RFC_SECRET)
    cli.ok("add", "--issuer", "Google", "--name", "home", "--secret", RFC_SECRET)
    message = cli.fails("remove", "google", "--yes", status=2)
    assert "Google: work" in message
    assert "Google: home" in message
    assert len(cli.json("list")) == 2


def test_remove_asks_and_yes_skips_the_question(cli: Cli) -> None:
    """remove needs a yes (from standard input when it is not a terminal) or --yes."""
    cli.ok("add", "--issuer", "A", "--name", "one", "--secret", RFC_SECRET)
    cli.ok("add", "--issuer", "B", "--name", "two", "--secret", RFC_SECRET)
    refused = cli.run("remove", "one", stdin="n\n")
    assert refused.returncode == 1
    assert len(cli.json("list")) == 2
    cli.fails("remove", "one", stdin="")
    cli.ok("remove", "one", stdin="y\n")
    cli.ok("remove", "two", "--yes")
    assert cli.json("list") == []


def test_a_query_that_names_nothing_fails(cli: Cli) -> None:
    """code and remove with an unknown query fail with one sentence."""
    cli.ok("add", "--issuer", "A", "--name", "one", "--secret", RFC_SECRET)
    assert "No account matches" in cli.fails("code", "zzz")
    cli.fails("remove", "zzz", "--yes")


def test_global_options_work_before_and_after_the_command(cli: Cli, tmp_path: object) -> None:
    """--home chooses the vault folder wherever it is written."""
    other = str(cli.home.parent / "other")
    cli.ok("--home", other, "add", "--issuer", "A", "--name", "one", "--secret", RFC_SECRET)
    assert cli.json("list") == []
    assert len(cli.json("list", "--home", other)) == 1


@pytest.mark.parametrize(
    ("args", "sentence"),
    [
        (["add", "otpauth://totp/x?issuer=y"], "secret"),
        (["add", "https://example.com"], "otpauth"),
        (["add", "otpauth://xotp/A:b?secret=" + RFC_SECRET], "totp"),
        (["add", "--issuer", "A", "--name", "b", "--secret", "not base32!"], "base32"),
        (["add", "--issuer", "A", "--name", "b", "--secret", "1111"], "base32"),
        (["add", "--issuer", "A", "--name", "b", "--secret", RFC_SECRET, "--algorithm", "MD5"],
         "algorithm"),
        (["add", "--issuer", "A", "--name", "b", "--secret", RFC_SECRET, "--digits", "5"],
         "Digits"),
        (["add", "--issuer", "A", "--name", "b", "--secret", RFC_SECRET, "--digits", "11"],
         "Digits"),
        (["add", "--issuer", "A", "--name", "b", "--secret", RFC_SECRET, "--period", "0"],
         "period"),
        (["code", "--at", "-5"], "Unix time"),
    ],
)  # fmt: skip
def test_bad_input_fails_with_one_sentence_and_changes_nothing(
    cli: Cli, args: list[str], sentence: str
) -> None:
    """Malformed URIs, bad base32, algorithms, digits and times are refused; the vault is kept."""
    cli.ok("add", "--issuer", "Keep", "--name", "me", "--secret", RFC_SECRET)
    before = cli.vault_file.read_bytes()
    message = cli.fails(*args)
    assert sentence.lower() in message.lower()
    assert RFC_SECRET not in message
    assert cli.vault_file.read_bytes() == before


def test_a_damaged_vault_is_reported_and_kept(cli: Cli) -> None:
    """Every command on a damaged vault fails with one sentence and leaves the file alone."""
    cli.ok("add", "--issuer", "Keep", "--name", "me", "--secret", RFC_SECRET)
    damaged = bytearray(cli.vault_file.read_bytes())
    damaged[-3] ^= 0x40
    cli.vault_file.write_bytes(bytes(damaged))
    for args in (
        ["list"],
        ["code"],
        ["add", "--issuer", "B", "--name", "c", "--secret", RFC_SECRET],
    ):
        assert "damaged" in cli.fails(*args)
    assert cli.vault_file.read_bytes() == bytes(damaged)
    cli.vault_file.write_bytes(bytes(damaged[:10]))
    assert "truncated" in cli.fails("list")


def test_a_foreign_file_in_place_of_the_vault_is_kept(cli: Cli) -> None:
    """A file that is not a vault is named as such and not overwritten by add."""
    cli.home.mkdir()
    cli.vault_file.write_text("my notes\n")
    assert "not an otpkeep vault" in cli.fails("add", "--issuer", "A", "--secret", RFC_SECRET)
    assert cli.vault_file.read_text() == "my notes\n"


def test_usage_errors_exit_2(cli: Cli) -> None:
    """Unknown options and missing arguments are usage errors (exit 2), never tracebacks."""
    assert cli.run("list", "--bogus").returncode == 2
    assert cli.run("remove").returncode == 2
    assert cli.run().returncode == 2


def test_concurrent_adds_all_land(cli: Cli) -> None:
    """Several otpkeep add run at once: every account is in the vault afterwards."""
    count = 8
    processes = [
        subprocess.Popen(
            cli.command("add", "--issuer", f"Site{n}", "--name", "me", "--secret", RFC_SECRET),
            env=cli.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(count)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 0, stderr
    issuers = sorted(item["issuer"] for item in cli.json("list"))
    assert issuers == sorted(f"Site{n}" for n in range(count))


def test_the_same_secret_with_other_settings_is_another_account(cli: Cli) -> None:
    """Accounts that differ only in algorithm, digits, period or type are all kept."""
    base = ["add", "--issuer", "ACME", "--name", "ana", "--secret", RFC_SECRET]
    cli.ok(*base)
    cli.ok(*base, "--algorithm", "SHA256")
    cli.ok(*base, "--digits", "8")
    cli.ok(*base, "--period", "60")
    cli.ok(*base, "--counter", "0")
    listed = cli.json("list")
    assert len(listed) == 5
    codes = {item["code"] for item in cli.json("code", "--at", "1111111109")}
    assert len(codes) == 5
    again = cli.ok(*base, "--algorithm", "sha-256")
    assert "Already in the vault as ACME: ana (same secret, TOTP SHA256, 6 digits, 30 s)" in again
    assert len(cli.json("list")) == 5


@pytest.mark.parametrize(
    ("secret", "sentence"),
    [
        ("AE", "1 byte long (2 base32 characters)"),
        ("JBSWY3DP", "5 bytes long"),
        ("JBSW0Y3DPEHPK3PXP", "'0' at position 5"),
    ],
)
def test_too_short_or_mistyped_secrets_are_refused_with_what_is_wrong(
    cli: Cli, secret: str, sentence: str
) -> None:
    """A secret under 6 bytes, or with a character that is not base32, is one sentence."""
    message = cli.fails("add", "--issuer", "A", "--name", "b", "--secret", secret)
    assert sentence in message
    assert not cli.vault_file.exists()


def test_an_odd_length_secret_is_added_and_gives_google_authenticators_codes(cli: Cli) -> None:
    """An 11-character secret is added; its code is the one of its whole bytes."""
    cli.ok("add", "--issuer", "2FAS", "--name", "me", "--secret", "JBSWY3DPEHP")
    cli.ok("add", "--issuer", "Hex", "--name", "me", "--secret", "JBSWY3DPEE")
    [odd] = cli.json("code", "2fas", "--at", "59")
    [whole] = cli.json("code", "hex", "--at", "59")
    assert odd["code"] == whole["code"]


def test_text_that_cannot_be_exported_is_refused_at_add(cli: Cli) -> None:
    """A non-UTF-8 issuer (bytes from the terminal) and control characters are refused."""
    result = subprocess.run(
        [*cli.command("add", "--name", "me", "--secret", RFC_SECRET), "--issuer", b"Caf\xe9"],
        capture_output=True,
        env=cli.env(),
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"not UTF-8" in result.stderr
    assert "control characters" in cli.fails(
        "add", "--issuer", "A\tB", "--name", "me", "--secret", RFC_SECRET
    )
    assert not cli.vault_file.exists()
