"""``otpkeep import`` and ``otpkeep export``: accounts in from files, URIs and images; out to files.

Exports are the only commands that show secrets. The importers, exporters and QR
code libraries are imported inside the handlers, off ``otpkeep code``'s path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from otpkeep.cli import output, prompt
from otpkeep.errors import ImportFormatError, InvalidInputError

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context
    from otpkeep.device.vaultdata import VaultData
    from otpkeep.otp.account import Account
    from otpkeep.otp.exporters import ExportFile
    from otpkeep.otp.importers import ImportReport

URI_SCHEMES = ("otpauth://", "otpauth-migration://")
TERMINAL_FORMATS = ("qr", "otpauth", "google-migration")
MAX_IMPORT_BYTES = 64 * 1024 * 1024


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` and ``export``."""
    importing = subparsers.add_parser(
        "import",
        help="import accounts from a URI, a text file, an image or another app's export",
        description="Import every account of FILE_OR_URI: an otpauth:// or "
        "otpauth-migration:// URI, a text file of URIs, a PNG/JPEG with a QR code, or "
        "the export file of another authenticator. The file is imported whole or not "
        "at all, unless --partial.",
    )
    importing.add_argument("source", metavar="FILE_OR_URI")
    importing.add_argument("--format", default="auto", help="the file's format (default: auto)")
    importing.add_argument(
        "--partial", action="store_true", help="import what can be, even if some entries cannot"
    )
    importing.add_argument("--json", action="store_true", help="print the report as JSON")
    importing.set_defaults(func=run_import)

    exporting = subparsers.add_parser(
        "export",
        help="write every account out (this shows the secrets)",
        description="Write every account to PATH in --format. qr writes one PNG per "
        "account (PATH-1.png, ...); --terminal draws the QR codes instead.",
    )
    exporting.add_argument("path", nargs="?", metavar="PATH")
    exporting.add_argument("--format", required=True, help="otpauth, google-migration, qr, ...")
    exporting.add_argument("--terminal", action="store_true", help="draw QR codes in the terminal")
    exporting.add_argument("--force", action="store_true", help="overwrite existing files")
    exporting.set_defaults(func=run_export)


def _read_source(source: str, fmt: str) -> ImportReport:
    from otpkeep.otp import importers  # noqa: PLC0415 - off the hot path

    if source.lstrip().lower().startswith(URI_SCHEMES):
        return importers.read_text(source.strip())
    path = Path(source).expanduser()
    try:
        if path.stat().st_size > MAX_IMPORT_BYTES:
            raise ImportFormatError(f"{path} is too large to be an export file.")
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be read ({exc.strerror}).") from exc

    def ask_password() -> str:
        return prompt.ask_secret(f"Password of {path.name}: ")

    return importers.read_export(data, filename=path.name, format=fmt, password=ask_password)


def _merge(data: VaultData, report: ImportReport, now: int) -> list[dict[str, Any]]:
    """Add the report's accounts; one result per entry, in file order."""
    results = []
    for entry in report.entries:
        account = entry.account
        if account is None or entry.status == "skipped":
            results.append({"label": entry.label, "status": "not imported", "reason": entry.reason})
        elif data.add(account, now) is None:
            results.append(
                {"label": account.label, "status": "duplicate", "reason": "already in the vault"}
            )
        else:
            results.append({"label": account.label, "status": "imported", "reason": ""})
    return results


def _print_report(fmt: str, results: list[dict[str, Any]], *, as_json: bool) -> None:
    if as_json:
        output.print_json({"format": fmt, "entries": results})
        return
    rows = [[item["status"], item["label"], item["reason"]] for item in results]
    if rows:
        output.table(["STATUS", "ACCOUNT", "REASON"], rows)


class _NothingImportedError(ImportFormatError):
    """Raised inside the transaction so that nothing of a partly bad file is stored."""


def _require_whole(results: list[dict[str, Any]]) -> None:
    failed = sum(item["status"] == "not imported" for item in results)
    if failed:
        raise _NothingImportedError(
            f"{failed} of {len(results)} entries cannot be imported, so nothing was "
            "imported: pass --partial to import the others."
        )


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    """Import a whole file (or with ``--partial`` what can be), reporting every entry."""
    report = _read_source(args.source, args.format)
    results: list[dict[str, Any]] = []
    try:
        with ctx.vault().transaction() as data:
            results = _merge(data, report, ctx.now_ms())
            if not args.partial:
                _require_whole(results)
    except _NothingImportedError:
        for item in results:
            if item["status"] == "imported":
                item["status"] = "not imported"
                item["reason"] = "the file is imported whole or not at all"
        _print_report(report.format, results, as_json=args.json)
        raise
    _print_report(report.format, results, as_json=args.json)
    if not args.json:
        counts = {status: sum(i["status"] == status for i in results) for status in _STATUSES}
        print(
            f"{counts['imported']} imported, {counts['duplicate']} already present, "
            f"{counts['not imported']} not imported ({report.format}).",
            file=sys.stderr,
        )
    return 0


_STATUSES = ("imported", "duplicate", "not imported")


def _password(fmt: str) -> str | None:
    from otpkeep.otp.exporters.writer import ENCRYPTED  # noqa: PLC0415 - off the hot path

    if fmt not in ENCRYPTED:
        return None
    first = prompt.ask_secret("Password for the export file: ")
    if not first:
        raise InvalidInputError("The password of an encrypted export cannot be empty.")
    if prompt.is_interactive():
        again = prompt.ask_secret("The same password again: ")
        if again != first:
            raise InvalidInputError("The two passwords differ; nothing was exported.")
    return first


def _targets(path: Path, files: list[ExportFile]) -> list[Path]:
    if len(files) == 1:
        suffix = files[0].name_suffix
        return [path if path.suffix or not suffix else path.with_name(path.name + suffix)]
    base = path.with_suffix("") if path.suffix else path
    return [base.with_name(base.name + item.name_suffix) for item in files]


def _write_private(path: Path, data: bytes, *, force: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except FileExistsError:
        raise InvalidInputError(
            f"{path} already exists: choose another name or pass --force."
        ) from None
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be written ({exc.strerror}).") from exc


def _draw(accounts: list[Account], fmt: str) -> None:
    import secrets  # noqa: PLC0415 - off the hot path

    from otpkeep.otp.migration import encode_migration_uris  # noqa: PLC0415 - same
    from otpkeep.otp.qr import qr_terminal  # noqa: PLC0415 - same
    from otpkeep.otp.uri import format_uri  # noqa: PLC0415 - same

    if fmt not in TERMINAL_FORMATS:
        raise InvalidInputError("--terminal draws qr, otpauth or google-migration exports only.")
    if fmt == "google-migration":
        texts = encode_migration_uris(accounts, batch_id=secrets.randbits(31))
    else:
        texts = [format_uri(account) for account in accounts]
    for number, text in enumerate(texts, start=1):
        print(f"QR code {number} of {len(texts)}:")
        print(qr_terminal(text))


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    """Write every account in the chosen format (this shows the secrets)."""
    live = ctx.vault().load().live()
    accounts = [stored.account for stored in live if stored.account is not None]
    if not accounts:
        raise InvalidInputError("The vault has no accounts to export.")
    if args.terminal:
        _draw(accounts, args.format)
        return 0
    if not args.path:
        raise InvalidInputError("Give the PATH to write the export to (or --terminal for QR).")
    from otpkeep.otp.exporters import export  # noqa: PLC0415 - off the hot path

    files = export(accounts, args.format, password=_password(args.format))
    targets = _targets(Path(args.path).expanduser(), files)
    if not args.force:
        for target in targets:
            if target.exists():
                raise InvalidInputError(
                    f"{target} already exists: choose another name or pass --force."
                )
    for target, item in zip(targets, files, strict=True):
        _write_private(target, item.data, force=args.force)
        print(f"Wrote {target}")
    print(f"Exported {len(accounts)} accounts; the files hold their secrets.", file=sys.stderr)
    return 0
