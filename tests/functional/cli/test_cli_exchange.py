"""``otpkeep import`` and ``otpkeep export`` through the real entry point."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

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
