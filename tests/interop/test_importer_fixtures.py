"""Interoperability: every export file of other authenticators in ../shared/fixtures imports.

Each file must decode (with its password) to exactly the entries listed in
expected-entries.json, and those accounts must show the codes of expected-codes.json.
"""

import json
from pathlib import Path
from typing import Any

import pytest

from otpkeep.errors import WrongPasswordError
from otpkeep.otp.account import Account, OtpType, encode_base32
from otpkeep.otp.codes import code_for
from otpkeep.otp.importers import EntryStatus, ImportReport, read_export, read_text

FIXTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures"
EXPECTED = FIXTURES / "expected-entries.json"


def _expected() -> dict[str, Any]:
    if not EXPECTED.is_file():
        return {"files": {}, "passwords": {}}
    loaded: dict[str, Any] = json.loads(EXPECTED.read_text())
    return loaded


CASES = _expected()
FILES = sorted(CASES["files"]) or ["(absent)"]


@pytest.fixture(scope="module")
def fixtures() -> Path:
    if not EXPECTED.is_file():
        pytest.skip("../shared/fixtures is absent: interoperability test skipped")
    return FIXTURES


def _as_dict(account: Account) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "type": account.type.value,
        "issuer": account.issuer,
        "name": account.name,
        "secret": encode_base32(account.secret),
        "algo": account.algorithm.value,
        "digits": account.digits,
    }
    if account.type is OtpType.HOTP:
        fields["counter"] = account.counter
    else:
        fields["period"] = account.period
    return fields


# Old andOTP backups have no header: only andOTP's file name (.aes) or the format says
# what they are, and these fixtures are named .bin.
NAMED_FORMATS = {"andotp_encrypted_old.bin": "andotp-encrypted"}


def _read(fixtures: Path, name: str, password: str | None = None) -> ImportReport:
    data = (fixtures / "importers" / name).read_bytes()
    given = password if password is not None else CASES["passwords"].get(name)
    return read_export(
        data,
        filename=name,
        format=NAMED_FORMATS.get(name, "auto"),
        password=(lambda: given) if given else None,
    )


@pytest.mark.parametrize("name", FILES)
def test_every_fixture_imports_to_exactly_its_listed_entries(fixtures: Path, name: str) -> None:
    """The file's format is detected and every listed entry arrives, in order, with no extras."""
    report = _read(fixtures, name)
    assert all(entry.status is EntryStatus.IMPORTED for entry in report.entries), report.entries
    assert [_as_dict(a) for a in report.accounts] == CASES["files"][name]


@pytest.mark.parametrize("name", sorted(CASES["passwords"]) or ["(absent)"])
def test_every_encrypted_fixture_refuses_a_wrong_password(fixtures: Path, name: str) -> None:
    """A wrong password is told apart from a damaged file."""
    with pytest.raises(WrongPasswordError):
        _read(fixtures, name, password="not the password")


def test_plain_files_never_ask_for_a_password(fixtures: Path) -> None:
    """Files that are not encrypted import without calling the password prompt."""

    def refuse() -> str:
        raise AssertionError("the password was asked for")

    for name in sorted(set(CASES["files"]) - set(CASES["passwords"])):
        data = (fixtures / "importers" / name).read_bytes()
        assert read_export(data, filename=name, password=refuse).accounts


def test_fixture_accounts_show_the_expected_codes(fixtures: Path) -> None:
    """The imported accounts produce the codes of expected-codes.json at the listed times."""
    expected = json.loads((fixtures / "expected-codes.json").read_text())["expected_codes"]
    accounts = {f"{a.issuer}:{a.name}": a for a in _read(fixtures, "aegis_plain.json").accounts}
    accounts.update(
        {
            f"{a.issuer}:{a.name}": a
            for a in _read(fixtures, "battle_net_authenticator.xml").accounts
        }
    )
    assert set(accounts) == set(expected)
    for label, codes in expected.items():
        for at, code in codes.items():
            time = 0 if at == "hotp_at_counter" else int(at)
            assert code_for(accounts[label], time) == code, (label, at)


def test_google_migration_text_imports_its_four_accounts(fixtures: Path) -> None:
    """The Google Authenticator export URI holds the four listed accounts."""
    expected = json.loads((fixtures / "expected-codes.json").read_text())["migration_uri_entries"]
    report = read_text((fixtures / "google-migration.txt").read_text())
    assert report.format == "google-migration"
    assert [f"{a.issuer}:{a.name}" for a in report.accounts] == expected
