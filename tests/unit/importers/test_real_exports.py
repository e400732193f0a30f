"""Export files written the way other apps write them: every entry arrives exactly, or says why.

The files are made here, field by field as each app writes them (their own test data
has the same shapes): secrets whose length is no whole number of bytes, empty or
literal ``null`` fields, bare secrets, repeated parameters.
"""

import base64
import json
import random
import sqlite3
from collections.abc import Callable

import made_exports as exports
import pytest

from otpkeep.errors import ImportFormatError, OtpkeepError
from otpkeep.otp.account import Account, Algorithm, OtpType, decode_base32
from otpkeep.otp.codes import code_for
from otpkeep.otp.importers import EntryStatus, read_export
from otpkeep.otp.uri import format_uri

ODD = "JBSWY3DPEHP"  # 11 characters: 6 bytes and 7 leftover bits
ODD_17 = "GEZDGNBVGY3TQOJQG"  # 17 characters: 10 bytes and 5 leftover bits


def _whole_bytes(text: str) -> bytes:
    return base64.b32decode(text + "A" * (-len(text) % 8))[: len(text) * 5 // 8]


def _refuse() -> str:
    raise AssertionError("a password was asked for")


def test_twofas_secrets_of_odd_length_import_with_the_leftover_bits_dropped() -> None:
    """A 2FAS backup with 11- and 17-character secrets imports both, with the right codes."""
    data = exports.twofas_plain(
        [
            exports.twofas_service("Deno", ODD, {"account": "Mason", "issuer": "Deno"}),
            exports.twofas_service(
                "SPDX", ODD_17.lower(), {"account": "James", "issuer": "SPDX", "digits": 8}
            ),
        ]
    )
    report = read_export(data, filename="backup.2fas")
    assert [e.status for e in report.entries] == [EntryStatus.IMPORTED] * 2
    assert report.accounts == [
        Account("Deno", "Mason", _whole_bytes(ODD)),
        Account("SPDX", "James", _whole_bytes(ODD_17), digits=8),
    ]


def test_twofas_entry_with_an_empty_issuer_keeps_the_service_name() -> None:
    """otp.issuer "" (a QR code without issuer) takes the service name 2FAS shows."""
    data = exports.twofas_plain(
        [exports.twofas_service("GitLab", ODD_17, {"account": "ana", "issuer": "", "label": "ana"})]
    )
    assert read_export(data).accounts == [Account("GitLab", "ana", _whole_bytes(ODD_17))]


def test_ente_export_with_null_parameters_and_odd_secrets_imports() -> None:
    """Ente's algorithm=null&digits=null&period=null lines import with the defaults."""
    lines = [
        f"otpauth://totp/Deno:Mason?secret={ODD}&issuer=Deno&algorithm=null&digits=null&period=null",
        (
            f"otpauth://hotp/Issuu:James?secret={ODD_17}&issuer=Issuu&algorithm=sha512&digits=8"
            "&counter=7&period=30"
        ),
    ]
    report = read_export(exports.ente_text(lines), filename="ente-auth-codes.txt")
    assert report.format == "ente"
    assert report.accounts == [
        Account("Deno", "Mason", _whole_bytes(ODD)),
        Account(
            "Issuu",
            "James",
            _whole_bytes(ODD_17),
            type=OtpType.HOTP,
            algorithm=Algorithm.SHA512,
            digits=8,
            counter=7,
        ),
    ]


@pytest.mark.parametrize("maker", [exports.bitwarden_json, exports.bitwarden_csv])
def test_bitwarden_bare_secret_keeps_the_item_name_and_username(
    maker: Callable[[list[tuple[str, str | None, str]]], bytes],
) -> None:
    """A TOTP field holding only a secret gives issuer = the item, name = the username."""
    data = maker(
        [
            ("GitHub", "ana@example.com", ODD_17),
            ("Steam", "gaben", "steam://" + ODD_17),
            ("Deno", None, format_uri(Account("Deno", "Mason", b"0123456789"))),
        ]
    )
    report = read_export(data, filename="bitwarden_export.json")
    assert report.accounts == [
        Account("GitHub", "ana@example.com", _whole_bytes(ODD_17)),
        Account("Steam", "gaben", _whole_bytes(ODD_17), type=OtpType.STEAM),
        Account("Deno", "Mason", b"0123456789"),
    ]


def test_stratum_backup_with_an_odd_secret_imports() -> None:
    """Authenticator Pro (Stratum) writes 19-character secrets; they import."""
    doc = json.loads(exports.stratum_json([Account("Deno", "Mason", b"0123456789")]))
    doc["Authenticators"][0]["Secret"] = "KRSXG5CTMVRXEZLUKN2"
    assert read_export(json.dumps(doc).encode()).accounts == [
        Account("Deno", "Mason", _whole_bytes("KRSXG5CTMVRXEZLUKN2"))
    ]


def test_odd_secret_codes_match_the_whole_bytes_key() -> None:
    """The imported account gives the RFC 6238 code of the key without its leftover bits."""
    (account,) = read_export(exports.ente_text([f"otpauth://totp/A:b?secret={ODD}"])).accounts
    twin = Account("A", "b", _whole_bytes(ODD))
    assert [code_for(account, t) for t in (0, 59, 1234567890)] == [
        code_for(twin, t) for t in (0, 59, 1234567890)
    ]


def test_a_uri_with_a_parameter_twice_is_refused_and_the_others_import() -> None:
    """algorithm given twice is that entry's reason, naming the parameter; the rest imports."""
    good = format_uri(Account("Deno", "Mason", b"0123456789"))
    text = f"{good}\notpauth://totp/A:b?secret={ODD_17}&algorithm=SHA1&algorithm=SHA256\n"
    report = read_export(text.encode())
    assert [e.status for e in report.entries] == [EntryStatus.IMPORTED, EntryStatus.SKIPPED]
    assert "'algorithm' parameter twice" in report.entries[1].reason


def test_a_secret_below_the_minimum_is_refused_with_its_length() -> None:
    """A 1-byte secret is not imported, and the report says how long it is."""
    text = f"otpauth://totp/A:short?secret=AE\n{format_uri(Account('B', 'ok', b'0123456789'))}\n"
    report = read_export(text.encode())
    assert report.entries[0].status is EntryStatus.SKIPPED
    assert "1 byte long" in report.entries[0].reason
    assert report.accounts == [Account("B", "ok", b"0123456789")]


def test_a_non_utf8_label_from_a_file_is_refused_with_a_sentence() -> None:
    """JSON text with a lone surrogate cannot be written out again: that entry is refused."""
    data = exports.twofas_plain([exports.twofas_service("Caf\udce9", ODD_17, {"account": "x"})])
    report = read_export(data)
    assert report.entries[0].status is EntryStatus.SKIPPED
    assert "not UTF-8" in report.entries[0].reason


URIS = [
    format_uri(Account("Café", "José", b"0123456789")),
    format_uri(Account("Bank", "me", b"abcdefghij", type=OtpType.HOTP, counter=3)),
]


@pytest.mark.parametrize(
    "encoded",
    [
        "\r\n".join(URIS).encode("utf-16"),
        "\n".join(URIS).encode("utf-16-le"),
        "\n".join(URIS).encode("utf-16-be"),
        "\n".join(URIS).replace("Caf%C3%A9", "Café").encode("cp1252"),
    ],
    ids=["utf-16-with-mark", "utf-16-le", "utf-16-be", "windows-1252"],
)
def test_uri_lists_in_utf16_or_windows_1252_import(encoded: bytes) -> None:
    """A URI list saved by an editor in UTF-16 or Windows-1252 is read, no password asked."""
    report = read_export(encoded, filename="codes.txt", password=_refuse)
    assert report.format == "otpauth"
    assert [a.label for a in report.accounts] == ["Café: José", "Bank: me"]


def _random_files() -> list[bytes]:
    rng = random.Random(42)
    files = [rng.randbytes(size) for size in (40, 100, 1000, 4096, 20000) for _ in range(4)]
    files += [b"\x00" * 64, bytes(range(255, -1, -1)) * 4]
    aegis = json.dumps({"version": 1, "header": {"slots": None}, "db": {"entries": []}})
    files += [aegis.encode()[:cut] for cut in (10, 30, len(aegis) - 1)]
    files += [b"\xff" + aegis.encode(), exports.andotp_plain([])[:-1] + b"\x9d"]
    files += [b'{"services": [', b"[{]", "{ \u2603 }".encode("utf-16-le")]
    return files


@pytest.mark.parametrize("data", _random_files(), ids=lambda data: f"{len(data)}-bytes")
def test_unknown_files_are_refused_before_any_password_is_asked(data: bytes) -> None:
    """Random bytes and damaged JSON are 'not a format otpkeep knows', never a wrong password."""
    with pytest.raises(ImportFormatError) as info:
        read_export(data, filename="export.bin", password=_refuse)
    assert "otpkeep knows" in str(info.value) or "does not parse" in str(info.value)


def _damaged_databases() -> list[bytes]:
    rows = [("Deno:Mason", "GEZDGNBVGY3TQOJQ", 0, 0, "Deno")] * 3
    valid = exports.google_authenticator_db(rows)
    rng = random.Random(7)
    damaged = []
    for _ in range(40):
        copy = bytearray(valid)
        for _ in range(rng.randint(1, 30)):
            copy[rng.randrange(100, len(copy))] = rng.randrange(256)
        damaged.append(bytes(copy))
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE TABLE accounts (email TEXT, secret TEXT, counter, type, issuer)")
    connection.execute(
        "INSERT INTO accounts VALUES (CAST(x'ff41' AS TEXT), 'GEZDGNBVGY3TQOJQ', 0, 0, 'x')"
    )
    connection.commit()
    damaged.append(connection.serialize())
    return damaged


@pytest.mark.parametrize("data", _damaged_databases(), ids=lambda data: "database")
def test_damaged_databases_end_in_one_sentence(data: bytes) -> None:
    """A damaged SQLite export imports what it can or is refused: only otpkeep errors."""
    try:
        report = read_export(data, filename="databases")
    except OtpkeepError as exc:
        message = str(exc)
        assert message.endswith(".")
        return
    for entry in report.entries:
        assert entry.account is not None or entry.reason.endswith((".", ")"))


def test_a_label_that_is_not_utf8_in_a_database_still_imports_its_account() -> None:
    """A row whose label is not UTF-8 imports, the damaged bytes shown as U+FFFD."""
    (data,) = _damaged_databases()[-1:]
    report = read_export(data, filename="databases")
    assert report.accounts == [Account("x", "\ufffdA", decode_base32("GEZDGNBVGY3TQOJQ"))]
