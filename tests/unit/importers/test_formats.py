"""Each import format, from export files made by the test (encrypted as the app encrypts them)."""

import io
import json
import zipfile
from collections.abc import Callable

import made_exports as exports
import pytest

from otpkeep.errors import ImportFormatError, WrongPasswordError
from otpkeep.otp.account import Account, Algorithm, OtpType, encode_base32
from otpkeep.otp.importers import EntryStatus, formats, read_export, read_text
from otpkeep.otp.uri import format_uri

TOTP = Account("Deno", "Mason", b"0123456789", algorithm=Algorithm.SHA256, digits=7, period=20)
HOTP = Account("Issuu", "James", b"abcdefghij", type=OtpType.HOTP, counter=42, digits=8)
STEAM = Account("Boeing", "Sophia", b"steam-secret", type=OtpType.STEAM)
ALL = [TOTP, HOTP, STEAM]


def _password(value: str = "hunter2") -> Callable[[], str]:
    return lambda: value


def test_andotp_plain_imports_every_type() -> None:
    """An andOTP JSON backup imports TOTP, HOTP and Steam accounts exactly."""
    report = read_export(exports.andotp_plain(ALL), filename="otp_accounts.json")
    assert report.format == "andotp"
    assert report.accounts == ALL


@pytest.mark.parametrize("maker", [exports.andotp_encrypted, exports.andotp_encrypted_old])
def test_andotp_encrypted_backups_open_with_their_password(
    maker: Callable[[bytes, str], bytes],
) -> None:
    """Both andOTP encryption schemes open with the right password and refuse a wrong one."""
    data = maker(exports.andotp_plain(ALL), "hunter2")
    name = "otp_accounts.json.aes"
    assert read_export(data, filename=name, password=_password()).accounts == ALL
    with pytest.raises(WrongPasswordError):
        read_export(data, filename=name, password=_password("wrong"))


def test_encrypted_file_without_a_password_prompt_says_a_password_is_needed() -> None:
    """An encrypted file read with no way to ask for its password says so."""
    data = exports.andotp_encrypted(exports.andotp_plain(ALL), "hunter2")
    with pytest.raises(WrongPasswordError, match="password"):
        read_export(data)


def test_twofas_encrypted_backup_opens_with_its_password() -> None:
    """A 2FAS backup whose services are encrypted opens with the password."""
    service: dict[str, object] = {
        "name": "Deno",
        "secret": encode_base32(TOTP.secret),
        "otp": {
            "account": "Mason",
            "issuer": "Deno",
            "digits": 7,
            "period": 20,
            "algorithm": "SHA256",
            "tokenType": "TOTP",
        },
    }
    data = exports.twofas_encrypted([service], "hunter2")
    report = read_export(data, filename="backup.2fas", password=_password())
    assert report.format == "2fas-encrypted"
    assert report.accounts == [TOTP]
    with pytest.raises(WrongPasswordError):
        read_export(data, password=_password("wrong"))


def test_stratum_plain_and_legacy_encrypted_backups_import() -> None:
    """Stratum's JSON backup and its legacy PBKDF2/CBC encryption import the same accounts."""
    plain = exports.stratum_json(ALL)
    assert read_export(plain).accounts == ALL
    sealed = exports.stratum_legacy(plain, "hunter2")
    assert read_export(sealed, password=_password()).accounts == ALL
    with pytest.raises(WrongPasswordError):
        read_export(sealed, password=_password("wrong"))


def test_stratum_unsupported_types_are_skipped_with_a_reason() -> None:
    """A Yandex entry is reported as skipped, naming the type, and the rest imports."""
    doc = json.loads(exports.stratum_json([TOTP]))
    doc["Authenticators"].append({**doc["Authenticators"][0], "Type": 5, "Issuer": "Yandex"})
    report = read_export(json.dumps(doc).encode())
    assert [e.status for e in report.entries] == [EntryStatus.IMPORTED, EntryStatus.SKIPPED]
    assert report.entries[1].reason == "Unsupported type 'Yandex'."
    assert report.entries[1].label == "Yandex: Mason"


def test_totp_authenticator_backup_forces_its_fixed_parameters() -> None:
    """TOTP Authenticator's backup imports every account as TOTP SHA1, 6 digits, 30 seconds."""
    data = exports.totp_authenticator([TOTP], "Testtest1")
    report = read_export(data, filename="backup.bin", password=_password("Testtest1"))
    assert report.accounts == [Account("Deno", "Mason", TOTP.secret)]
    with pytest.raises(WrongPasswordError):
        read_export(data, filename="backup.bin", password=_password("wrong"))


def test_authy_encrypted_tokens_open_with_the_backup_password() -> None:
    """Authy tokens encrypted with the backup password decrypt to their secrets."""
    data = exports.authy_encrypted(TOTP, "hunter2")
    report = read_export(data, password=_password())
    assert report.accounts == [Account("Deno", "Mason", TOTP.secret, digits=7)]
    with pytest.raises(WrongPasswordError):
        read_export(data, password=_password("wrong"))


def test_battle_net_secret_and_serial_are_unmasked() -> None:
    """The Battle.net serial becomes the name and the unmasked secret gives 8-digit codes."""
    report = read_export(exports.battle_net("EU-1234-5678-9012", b"\x01" * 20))
    assert report.format == "battle-net"
    assert report.accounts == [Account("Battle.net", "EU-1234-5678-9012", b"\x01" * 20, digits=8)]


def test_freeotp_tokens_xml_imports_signed_byte_secrets() -> None:
    """FreeOTP's tokens.xml imports tokens whose secrets are Java signed bytes."""
    data = exports.prefs(
        {
            "Deno:Mason": json.dumps(exports.freeotp_token(TOTP)),
            "Issuu:James": json.dumps(exports.freeotp_token(HOTP)),
            "tokenOrder": json.dumps(["Deno:Mason", "Issuu:James"]),
        }
    )
    report = read_export(data, filename="tokens.xml")
    assert report.format == "freeotp"
    assert report.accounts == [TOTP, HOTP]


def test_freeotp_plus_json_imports() -> None:
    """FreeOTP+'s JSON export imports its tokens."""
    doc = {"tokenOrder": [], "tokens": [exports.freeotp_token(TOTP), exports.freeotp_token(HOTP)]}
    assert read_export(json.dumps(doc).encode()).accounts == [TOTP, HOTP]


def test_freeotp_2_backup_opens_with_its_password() -> None:
    """A FreeOTP 2 backup (a serialised Java HashMap) unwraps its master key and every token."""
    data = exports.freeotp_backup([TOTP, HOTP], "hunter2")
    report = read_export(data, filename="externalBackup.xml", password=_password())
    assert report.format == "freeotp-backup"
    assert report.accounts == [TOTP, HOTP]
    with pytest.raises(WrongPasswordError):
        read_export(data, password=_password("wrong"))


def test_google_authenticator_database_imports_totp_and_hotp() -> None:
    """Google Authenticator's legacy database gives TOTP and HOTP accounts, issuer split off."""
    data = exports.google_authenticator_db(
        [
            ("Deno:Mason", encode_base32(b"0123456789"), 0, 0, "Deno"),
            ("James", encode_base32(b"abcdefghij"), 42, 1, "Issuu"),
            ("Odd", encode_base32(b"abcdefghij"), 0, 7, ""),
        ]
    )
    report = read_export(data, filename="databases")
    assert report.format == "google-authenticator-db"
    assert report.accounts == [
        Account("Deno", "Mason", b"0123456789"),
        Account("Issuu", "James", b"abcdefghij", type=OtpType.HOTP, counter=42),
    ]
    assert report.entries[2].status is EntryStatus.SKIPPED


def test_authenticator_plus_zip_reads_accounts_txt() -> None:
    """An Authenticator Plus ZIP's Accounts.txt imports its URIs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Accounts.txt", format_uri(TOTP) + "\n" + format_uri(HOTP) + "\n")
    report = read_export(buffer.getvalue(), filename="export.zip")
    assert report.format == "authenticator-plus"
    assert report.accounts == [TOTP, HOTP]


def test_bitwarden_json_and_csv_read_the_totp_field() -> None:
    """Bitwarden's exports import otpauth URIs and steam:// secrets from the TOTP field."""
    items = [
        {"name": "one", "login": {"totp": format_uri(TOTP)}},
        {"name": "no totp", "login": {"totp": None}},
        {"name": "steam", "login": {"totp": "steam://" + encode_base32(STEAM.secret)}},
    ]
    from_json = read_export(json.dumps({"encrypted": False, "items": items}).encode())
    steam = Account("Steam", "", STEAM.secret, type=OtpType.STEAM)
    assert from_json.accounts == [TOTP, steam]
    header = "folder,favorite,type,name,notes,fields,login_uri,login_username,login_password"
    rows = header + ",login_totp\n" + f",,login,one,,,,,,{format_uri(TOTP)}\n"
    rows += f",,login,steam,,,,,,steam://{encode_base32(STEAM.secret)}\n"
    assert read_export(rows.encode(), filename="bitwarden.csv").accounts == [TOTP, steam]


def test_encrypted_bitwarden_export_is_refused_with_advice() -> None:
    """An encrypted Bitwarden export is refused with what to do instead."""
    with pytest.raises(ImportFormatError, match="unencrypted"):
        read_export(json.dumps({"encrypted": True, "items": []}).encode())


def test_steam_guard_files_import_both_layouts() -> None:
    """Steam Guard's account map and the old single-account file both import."""
    secret = "VGhpcyBpcyBzdGVhbQ=="
    one = {"shared_secret": secret, "account_name": "Sophia"}
    expected = [Account("Steam", "Sophia", b"This is steam", type=OtpType.STEAM)]
    assert read_export(json.dumps(one).encode()).accounts == expected
    assert read_export(json.dumps({"accounts": {"x": one}}).encode()).accounts == expected


def test_duo_accounts_import_with_their_counter() -> None:
    """Duo's accounts file imports TOTP and HOTP accounts with no issuer."""
    doc = [
        {"name": "Mason", "otpGenerator": {"otpSecret": encode_base32(b"0123456789")}},
        {"name": "James", "otpGenerator": {"otpSecret": encode_base32(b"abcdef"), "counter": 3}},
    ]
    assert read_export(json.dumps(doc).encode()).accounts == [
        Account("", "Mason", b"0123456789"),
        Account("", "James", b"abcdef", type=OtpType.HOTP, counter=3),
    ]


def test_proton_export_imports_its_uris() -> None:
    """Proton Authenticator's export imports each entry's URI."""
    doc = {"version": 1, "entries": [{"content": {"uri": format_uri(TOTP), "name": "Mason"}}]}
    assert read_export(json.dumps(doc).encode()).accounts == [TOTP]


def test_plain_text_reports_lines_that_are_not_uris() -> None:
    """In a URI list, a broken URI is skipped with a reason that does not quote its secret."""
    text = format_uri(TOTP) + "\notpauth://totp/Bad:One?secret=NOT*BASE32SECRET\n"
    report = read_export(text.encode())
    assert report.format == "otpauth"
    assert report.entries[0].account == TOTP
    skipped = report.entries[1]
    assert skipped.status is EntryStatus.SKIPPED
    assert skipped.reason
    assert "NOT*BASE32SECRET" not in skipped.reason + skipped.label


def test_read_text_accepts_one_uri_and_refuses_prose() -> None:
    """A pasted URI imports; text without any URI is refused with one sentence."""
    assert read_text(format_uri(HOTP)).accounts == [HOTP]
    with pytest.raises(ImportFormatError, match="otpauth"):
        read_text("hello there")


def test_unknown_files_and_unknown_format_names_are_refused() -> None:
    """Text of no known format, and an unknown format name, are ImportFormatError."""
    with pytest.raises(ImportFormatError):
        read_export(b"just some words\n")
    with pytest.raises(ImportFormatError, match="Unknown import format"):
        read_export(b"{}", format="nope")
    with pytest.raises(ImportFormatError, match="not a aegis export"):
        read_export(exports.andotp_plain(ALL), format="aegis")


def test_an_explicit_format_name_is_used() -> None:
    """Every name that ``formats()`` lists is accepted by ``read_export``."""
    assert "aegis" in formats()
    assert read_export(exports.andotp_plain(ALL), format="andotp").accounts == ALL


def test_files_over_16_mib_are_refused() -> None:
    """A file larger than any export is refused before it is parsed."""
    with pytest.raises(ImportFormatError, match="16 MiB"):
        read_export(b" " * (16 * 1024 * 1024 + 1))
