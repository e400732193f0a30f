"""``otpkeep import`` and ``otpkeep export`` through the real entry point."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from otpkeep.device.vault import Vault
from otpkeep.otp.account import Account, decode_base32
from otpkeep.otp.migration import encode_migration_uris

if TYPE_CHECKING:
    from conftest import Cli

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
FIXTURES = Path(__file__).resolve().parents[3] / ".." / "shared" / "fixtures"


def _uri(issuer: str, name: str = "me", secret: str = RFC_SECRET) -> str:
    return f"otpauth://totp/{issuer}:{name}?secret={secret}&issuer={issuer}"


def _without_ids(items: list[dict[str, object]]) -> list[dict[str, object]]:
    return [{key: value for key, value in item.items() if key != "id"} for item in items]


def _other(cli: Cli, name: str) -> Cli:
    return type(cli)(home=cli.home.parent / name)


def test_a_uri_is_imported_once_and_reported_as_duplicate_after(cli: Cli) -> None:
    """Importing the same URI twice stores one account and reports the duplicate."""
    first = cli.json("import", _uri("ACME"))
    assert [entry["status"] for entry in first["entries"]] == ["imported"]
    second = cli.json("import", _uri("ACME"))
    assert [entry["status"] for entry in second["entries"]] == ["duplicate"]
    assert len(cli.json("list")) == 1


def test_a_text_file_of_uris_is_imported_with_every_entry_reported(
    cli: Cli, tmp_path: Path
) -> None:
    """One URI a line; an account already present is skipped, the others land."""
    cli.ok("import", _uri("B"))
    lines = tmp_path / "accounts.txt"
    lines.write_text("\n".join([_uri("A"), _uri("B"), _uri("C")]) + "\n")
    report = cli.json("import", str(lines))
    assert [(e["label"], e["status"]) for e in report["entries"]] == [
        ("A: me", "imported"),
        ("B: me", "duplicate"),
        ("C: me", "imported"),
    ]
    assert [item["issuer"] for item in cli.json("list")] == ["B", "A", "C"]


def test_a_file_with_a_bad_entry_is_imported_whole_or_with_partial(
    cli: Cli, tmp_path: Path
) -> None:
    """A bad entry stops the whole import, unless --partial imports the rest."""
    lines = tmp_path / "accounts.txt"
    lines.write_text(f"{_uri('A')}\notpauth://totp/B:me?secret=not-base32!\n{_uri('C')}\n")
    message = cli.fails("import", str(lines))
    assert "--partial" in message
    assert cli.json("list") == []
    cli.ok("import", str(lines), "--partial")
    assert [item["issuer"] for item in cli.json("list")] == ["A", "C"]


def test_google_authenticator_exports_in_several_batches_are_imported(
    cli: Cli, tmp_path: Path
) -> None:
    """A file holding the otpauth-migration:// URIs of a two-batch export imports all."""
    accounts = [
        Account(issuer=f"Site{n}", name="me", secret=decode_base32(RFC_SECRET)) for n in range(12)
    ]
    uris = encode_migration_uris(accounts, batch_id=7)
    assert len(uris) == 2
    cli.ok("import", uris[0])
    batches = tmp_path / "migration.txt"
    batches.write_text("\n".join(uris))
    report = cli.json("import", str(batches))
    statuses = [entry["status"] for entry in report["entries"]]
    assert statuses.count("duplicate") == 10
    assert statuses.count("imported") == 2
    assert len(cli.json("list")) == 12


def test_a_qr_png_export_imports_back_as_the_same_accounts(cli: Cli, tmp_path: Path) -> None:
    """Export as PNG QR codes, import the PNGs elsewhere: the same accounts and codes."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET, "--digits", "8")
    cli.ok("add", "--issuer", "Bank", "--name", "me", "--secret", RFC_SECRET, "--counter", "4")
    out = cli.ok("export", "--format", "qr", str(tmp_path / "codes.png"))
    pngs = sorted(tmp_path.glob("codes-*.png"))
    assert len(pngs) == 2
    assert all(str(png) in out for png in pngs)
    other = _other(cli, "other")
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG")
        other.ok("import", str(png))
    assert _without_ids(other.json("list")) == _without_ids(cli.json("list"))
    at = ["--at", "1234567890"]
    assert other.json("code", "acme", *at) == cli.json("code", "acme", *at)


def test_an_unreadable_image_is_refused(cli: Cli, tmp_path: Path) -> None:
    """A damaged PNG, or one without a QR code, fails with one sentence."""
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    cli.fails("import", str(broken))
    assert not cli.vault_file.exists()


def test_an_unknown_file_or_a_missing_one_is_refused(cli: Cli, tmp_path: Path) -> None:
    """Files of no known format and paths that do not exist fail with one sentence."""
    unknown = tmp_path / "notes.bin"
    unknown.write_bytes(b"\x00\x01 hello")
    assert "format" in cli.fails("import", str(unknown))
    assert "cannot be read" in cli.fails("import", str(tmp_path / "missing.txt"))


def test_an_otpauth_export_holds_the_secrets_in_a_private_file(cli: Cli, tmp_path: Path) -> None:
    """export --format otpauth writes one URI a line (0600) and never overwrites a file."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    target = tmp_path / "out.txt"
    cli.ok("export", "--format", "otpauth", str(target))
    assert RFC_SECRET in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "already exists" in cli.fails("export", "--format", "otpauth", str(target))
    other = _other(cli, "other")
    other.ok("import", str(target))
    assert _without_ids(other.json("list")) == _without_ids(cli.json("list"))


def test_the_encrypted_export_asks_for_a_password_and_imports_back(
    cli: Cli, tmp_path: Path
) -> None:
    """The otpkeep export reads its password from standard input, and needs it to import."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    target = tmp_path / "backup.otpkeep"
    cli.ok("export", "--format", "otpkeep", str(target), stdin="correct horse\n")
    assert RFC_SECRET.encode() not in target.read_bytes()
    other = _other(cli, "other")
    other.fails("import", str(target), stdin="wrong\n")
    assert other.json("list") == []
    other.ok("import", str(target), stdin="correct horse\n")
    assert _without_ids(other.json("list")) == _without_ids(cli.json("list"))


def test_the_terminal_export_draws_qr_codes(cli: Cli) -> None:
    """export --terminal draws one QR code per account with block characters."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    drawn = cli.ok("export", "--format", "qr", "--terminal")
    assert "QR code 1 of 1" in drawn
    assert "█" in drawn


def test_export_of_an_empty_vault_or_an_unknown_format_fails(cli: Cli, tmp_path: Path) -> None:
    """Nothing to export, or a format that does not exist, is one sentence."""
    cli.fails("export", "--format", "otpauth", str(tmp_path / "x.txt"))
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    assert "format" in cli.fails("export", "--format", "nope", str(tmp_path / "x.txt"))
    assert not (tmp_path / "x.txt").exists()


def _fixture(name: str) -> Path:
    path = FIXTURES / name
    if not path.exists():
        pytest.skip("../shared/fixtures is absent: interoperability test skipped")
    return path


def test_other_apps_exports_are_imported(cli: Cli) -> None:
    """The plain-text and encrypted Aegis fixtures import their seven accounts."""
    cli.ok("import", str(_fixture("importers/plain.txt")))
    assert len(cli.json("list")) == 7
    other = _other(cli, "other")
    other.ok("import", str(_fixture("importers/aegis_encrypted.json")), stdin="test\n")
    assert _without_ids(other.json("list")) == _without_ids(cli.json("list"))


def _store_directly(cli: Cli, *accounts: Account) -> None:
    """Put accounts into the vault as an older otpkeep could have stored them."""
    with Vault(cli.home, keystore="file").transaction() as data:
        for account in accounts:
            data.add(account, 1)


def test_accounts_differing_only_in_settings_are_all_imported(cli: Cli, tmp_path: Path) -> None:
    """The same secret with SHA1 and SHA256 is two accounts; importing again merges both."""
    lines = tmp_path / "codes.txt"
    lines.write_text(
        f"{_uri('ACME')}&algorithm=SHA1\n{_uri('ACME')}&algorithm=SHA256\n"
        f"{_uri('ACME')}&algorithm=SHA256\n"
    )
    report = cli.json("import", str(lines))
    kept_apart = (
        "kept apart from ACME: me (TOTP SHA1, 6 digits, 30 s): same secret, "
        "other codes or another name"
    )
    merged = "earlier in this import as ACME: me (same secret, TOTP SHA256, 6 digits, 30 s)"
    assert [(e["status"], e["reason"]) for e in report["entries"]] == [
        ("imported", ""),
        ("imported", kept_apart),
        ("duplicate", merged),
    ]
    assert [item["algorithm"] for item in cli.json("list")] == ["SHA1", "SHA256"]
    again = cli.json("import", str(lines))
    assert [e["status"] for e in again["entries"]] == ["duplicate"] * 3
    assert again["entries"][0]["reason"].startswith("already in the vault as ACME: me")


def test_several_files_are_imported_at_once(cli: Cli, tmp_path: Path) -> None:
    """import a.png b.png (what export --format qr writes) imports both, named per source."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    cli.ok("add", "--issuer", "Bank", "--name", "me", "--secret", RFC_SECRET, "--counter", "4")
    cli.ok("export", "--format", "qr", str(tmp_path / "codes.png"))
    pngs = sorted(str(png) for png in tmp_path.glob("codes-*.png"))
    other = _other(cli, "other")
    report = other.json("import", *pngs)
    assert [(e["source"], e["status"]) for e in report["entries"]] == [
        (pngs[0], "imported"),
        (pngs[1], "imported"),
    ]
    assert _without_ids(other.json("list")) == _without_ids(cli.json("list"))


def test_several_files_are_imported_whole_or_not_at_all(cli: Cli, tmp_path: Path) -> None:
    """A bad entry in the second file stops the first too, unless --partial."""
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(_uri("A") + "\n")
    bad.write_text("otpauth://totp/B:me?secret=AE\n")
    message = cli.fails("import", str(good), str(bad))
    assert "--partial" in message
    assert cli.json("list") == []
    cli.ok("import", str(good), str(bad), "--partial")
    assert [item["issuer"] for item in cli.json("list")] == ["A"]
    missing = cli.fails("import", str(good), str(tmp_path / "nope.txt"))
    assert "nope.txt" in missing


def test_export_to_standard_output(cli: Cli, tmp_path: Path) -> None:
    """export --format otpauth - prints the URIs, and writes no file named -.txt."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    out = subprocess.run(
        cli.command("export", "--format", "otpauth", "-"),
        capture_output=True,
        text=True,
        env=cli.env(),
        cwd=tmp_path,
        timeout=60,
        check=True,
    ).stdout
    assert out == (
        f"otpauth://totp/ACME:bob?secret={RFC_SECRET}&issuer=ACME&algorithm=SHA1&digits=6"
        "&period=30\n"
    )
    assert not (tmp_path / "-.txt").exists()
    cli.ok("add", "--issuer", "Bank", "--name", "me", "--secret", RFC_SECRET)
    assert "is 2 files" in cli.fails("export", "--format", "qr", "-")


def test_export_into_an_existing_folder_writes_inside_it(cli: Cli, tmp_path: Path) -> None:
    """export ... DIR writes DIR/otpkeep-export.txt, not DIR.txt beside it."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    folder = tmp_path / "exports"
    folder.mkdir()
    cli.ok("export", "--format", "otpauth", str(folder))
    assert (folder / "otpkeep-export.txt").read_text().startswith("otpauth://totp/ACME:bob?")
    assert not (tmp_path / "exports.txt").exists()


def test_google_migration_names_what_it_cannot_hold_and_exports_the_rest_with_partial(
    cli: Cli, tmp_path: Path
) -> None:
    """A 7-digit account is named; with --partial the others are exported and it is left out."""
    cli.ok("add", "--issuer", "ACME", "--name", "bob", "--secret", RFC_SECRET)
    cli.ok("add", "--issuer", "Odd", "--name", "me", "--secret", RFC_SECRET, "--digits", "7")
    target = tmp_path / "google.png"
    message = cli.fails("export", "--format", "google-migration", str(target))
    assert "Odd: me (7-digit codes)" in message
    assert "--partial" in message
    assert not target.exists()
    result = cli.run("export", "--format", "google-migration", str(target), "--partial")
    assert result.returncode == 0, result.stderr
    assert "Left out Odd: me" in result.stderr
    other = _other(cli, "other")
    other.ok("import", str(target))
    assert [item["issuer"] for item in other.json("list")] == ["ACME"]


def test_exports_of_text_stored_before_it_was_refused_still_work(cli: Cli, tmp_path: Path) -> None:
    """A non-UTF-8 issuer stored by an older version exports, as U+FFFD, in every format."""
    _store_directly(cli, Account("Caf\udce9", "me", decode_base32(RFC_SECRET)))
    for fmt in ("otpauth", "aegis", "2fas", "google-migration", "qr"):
        cli.ok("export", "--format", fmt, str(tmp_path / f"out-{fmt}"))
    other = _other(cli, "other")
    other.ok("import", str(tmp_path / "out-otpauth.txt"))
    assert other.json("list")[0]["issuer"] == "Caf\ufffd"


def test_endless_or_huge_sources_are_refused_with_one_sentence(cli: Cli, tmp_path: Path) -> None:
    """import /dev/zero stops at the size of the largest export file; a folder is refused."""
    assert "16 MiB" in cli.fails("import", "/dev/zero")
    assert "cannot be read" in cli.fails("import", str(tmp_path))


@pytest.mark.parametrize(
    "content",
    [
        bytes(range(255, -1, -1)) * 8,
        b"\x00\x01\x02 not an export",
        b'{"version": 1, "header": {"slots": null}, "db": {"entries": [',
    ],
    ids=["random-bytes", "binary", "damaged-json"],
)
def test_unknown_files_are_refused_without_asking_a_password(
    cli: Cli, tmp_path: Path, content: bytes
) -> None:
    """No password is asked for a file of no known format (standard input stays unread)."""
    unknown = tmp_path / "backup.bin"
    unknown.write_bytes(content)
    message = cli.fails("import", str(unknown), stdin="")
    assert "Password" not in message
    assert "otpkeep knows" in message or "does not parse" in message


def test_a_windows_1252_list_of_uris_is_imported(cli: Cli, tmp_path: Path) -> None:
    """A URI list saved by an editor in Windows-1252 imports with its accented labels."""
    listing = tmp_path / "codes.txt"
    listing.write_bytes(f"otpauth://totp/Café:José?secret={RFC_SECRET}\n".encode("cp1252"))
    cli.ok("import", str(listing))
    assert [(i["issuer"], i["name"]) for i in cli.json("list")] == [("Café", "José")]


def test_a_damaged_database_export_ends_in_one_sentence(cli: Cli, tmp_path: Path) -> None:
    """A Google Authenticator database with damaged bytes is imported or refused, in one line."""
    original = _fixture("importers/google_authenticator.sqlite").read_bytes()
    damaged = bytearray(original)
    for offset in range(200, len(damaged), 97):
        damaged[offset] ^= 0x5A
    target = tmp_path / "databases"
    target.write_bytes(bytes(damaged))
    result = cli.run("import", str(target), "--partial")
    assert result.returncode in (0, 1)
    assert "unexpected error" not in result.stderr
