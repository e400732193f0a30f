"""``otpkeep import`` and ``otpkeep export``: accounts in from files, URIs and images; out to files.

Exports are the only commands that show secrets. The importers, exporters and QR
code libraries are imported inside the handlers, off ``otpkeep code``'s path.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from otpkeep.cli import output, prompt
from otpkeep.cli.completion import FILES, completes
from otpkeep.errors import ImportFormatError, InvalidInputError, OtpkeepError
from otpkeep.words import counted

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context
    from otpkeep.device.vault.data import AccountIndex, VaultData
    from otpkeep.otp.account import Account
    from otpkeep.otp.exporters import ExportFile
    from otpkeep.otp.importers import ImportReport

URI_SCHEMES = ("otpauth://", "otpauth-migration://")
TERMINAL_FORMATS = ("qr", "otpauth", "google-migration")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``import`` and ``export``."""
    importing = subparsers.add_parser(
        "import",
        help="import accounts from URIs, text files, images or other apps' exports",
        description="Import every account of each FILE_OR_URI: an otpauth:// or "
        "otpauth-migration:// URI, a text file of URIs, a PNG/JPEG with QR codes (such as "
        "the files export --format qr writes), or the export file of another "
        "authenticator. Everything given is imported whole or not at all, unless --partial. "
        "An account already in the vault (same secret, settings, issuer and name) is "
        "reported as a duplicate and not added again.",
    )
    completes(importing.add_argument("sources", nargs="+", metavar="FILE_OR_URI"), FILES)
    importing.add_argument("--format", default="auto", help="the files' format (default: auto)")
    importing.add_argument(
        "--partial", action="store_true", help="import what can be, even if some entries cannot"
    )
    importing.add_argument("--json", action="store_true", help="print the report as JSON")
    importing.set_defaults(func=run_import)

    exporting = subparsers.add_parser(
        "export",
        help="write every account out (this shows the secrets)",
        description="Write every account to PATH in --format; PATH - writes to standard "
        "output, and an existing folder gets otpkeep-export.<suffix> inside it. qr writes "
        "one PNG per account (PATH-1.png, ...), google-migration one per ten accounts; "
        "--terminal draws the QR codes instead.",
    )
    completes(exporting.add_argument("path", nargs="?", metavar="PATH"), FILES)
    exporting.add_argument("--format", required=True, help="otpauth, google-migration, qr, ...")
    exporting.add_argument("--terminal", action="store_true", help="draw QR codes in the terminal")
    exporting.add_argument("--force", action="store_true", help="overwrite existing files")
    exporting.add_argument(
        "--partial",
        action="store_true",
        help="leave out the accounts the format cannot hold (named) and export the others",
    )
    exporting.set_defaults(func=run_export)


def _read_file(path: Path) -> bytes:
    """At most the largest export file, from a file, a device or a pipe alike."""
    from otpkeep.otp.importers.source import MAX_FILE_BYTES  # noqa: PLC0415 - off the hot path

    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be read ({exc.strerror}).") from exc
    if len(data) > MAX_FILE_BYTES:
        raise ImportFormatError(
            f"{path} holds more than {MAX_FILE_BYTES // (1024 * 1024)} MiB: "
            "it is not an export file otpkeep can import."
        )
    return data


def _read_source(source: str, fmt: str) -> ImportReport:
    from otpkeep.otp import importers  # noqa: PLC0415 - off the hot path

    if source.lstrip().lower().startswith(URI_SCHEMES):
        return importers.read_text(source.strip())
    path = Path(source).expanduser()
    data = _read_file(path)

    def ask_password() -> str:
        return prompt.ask_secret(f"Password of {path.name}: ")

    return importers.read_export(data, filename=path.name, format=fmt, password=ask_password)


def _shown(source: str) -> str:
    """A source as the report names it: a file's name, never a URI (it holds a secret)."""
    if source.lstrip().lower().startswith(URI_SCHEMES):
        return "(URI)"
    return source


def _merge(
    data: VaultData, reports: list[tuple[str, ImportReport]], now: int
) -> list[dict[str, Any]]:
    """Add the reports' accounts in linear time; one result per entry, in order."""
    index = data.index()
    added: dict[str, str] = {}
    results = []
    for source, report in reports:
        for entry in report.entries:
            result = {"source": _shown(source), "label": entry.label}
            account = entry.account
            if account is None or entry.status == "skipped":
                result.update(status="not imported", reason=entry.reason)
            else:
                result.update(_merge_one(index, account, now, added))
            results.append(result)
    return results


def _merge_one(
    index: AccountIndex, account: Account, now: int, added: dict[str, str]
) -> dict[str, str]:
    label = account.label
    same = index.find_same(account)
    if same is not None:
        where = "earlier in this import" if same.id in added else "already in the vault"
        return {
            "label": label,
            "status": "duplicate",
            "reason": f"{where} as {same.account.label if same.account else label} "
            f"(same secret, {account.settings()})",
        }
    others = [s.account for s in index.same_secret(account) if s.account is not None]
    stored = index.add(account, now)
    if stored is not None:
        added[stored.id] = label
    reason = ""
    if others:
        reason = (
            f"kept apart from {others[0].label} ({others[0].settings()}): same secret, "
            "other codes or another name"
        )
    return {"label": label, "status": "imported", "reason": reason}


def _print_report(
    formats: list[str], results: list[dict[str, Any]], *, as_json: bool, several: bool
) -> None:
    if as_json:
        output.print_json({"format": ", ".join(dict.fromkeys(formats)), "entries": results})
        return
    if several:
        rows = [[i["status"], i["source"], i["label"], i["reason"]] for i in results]
        if rows:
            output.table(["STATUS", "SOURCE", "ACCOUNT", "REASON"], rows)
        return
    rows = [[item["status"], item["label"], item["reason"]] for item in results]
    if rows:
        output.table(["STATUS", "ACCOUNT", "REASON"], rows)


class _NothingImportedError(ImportFormatError):
    """Raised inside the transaction so that nothing of a partly bad import is stored."""


def _require_whole(results: list[dict[str, Any]]) -> None:
    failed = sum(item["status"] == "not imported" for item in results)
    if failed:
        raise _NothingImportedError(
            f"{failed} of {counted(len(results), 'entry')} cannot be imported, so nothing was "
            "imported: pass --partial to import the others."
        )


def _reports(sources: list[str], fmt: str) -> list[tuple[str, ImportReport]]:
    reports = []
    for source in sources:
        try:
            reports.append((source, _read_source(source, fmt)))
        except OtpkeepError as exc:
            if len(sources) > 1:
                exc.message = f"{_shown(source)}: {exc.message}"
            raise
    return reports


def run_import(args: argparse.Namespace, ctx: Context) -> int:
    """Import whole files (or with ``--partial`` what can be), reporting every entry."""
    reports = _reports(args.sources, args.format)
    formats = [report.format for _, report in reports]
    several = len(reports) > 1
    results: list[dict[str, Any]] = []
    try:
        with ctx.vault().transaction() as data:
            results = _merge(data, reports, ctx.now_ms())
            if not args.partial:
                _require_whole(results)
    except _NothingImportedError:
        for item in results:
            if item["status"] == "imported":
                item["status"] = "not imported"
                item["reason"] = "the import is whole or not at all"
        _print_report(formats, results, as_json=args.json, several=several)
        raise
    _print_report(formats, results, as_json=args.json, several=several)
    if not args.json:
        counts = {status: sum(i["status"] == status for i in results) for status in _STATUSES}
        print(
            f"{counts['imported']} imported, {counts['duplicate']} already present, "
            f"{counts['not imported']} not imported ({', '.join(dict.fromkeys(formats))}).",
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


DEFAULT_NAME = "otpkeep-export"


def _targets(path: Path, files: list[ExportFile]) -> list[Path]:
    if path.is_dir():
        path = path / DEFAULT_NAME
    if len(files) == 1:
        suffix = files[0].name_suffix
        return [path if path.suffix or not suffix else path.with_name(path.name + suffix)]
    base = path.with_suffix("") if path.suffix else path
    return [base.with_name(base.name + item.name_suffix) for item in files]


def _draw(accounts: list[Account], fmt: str) -> None:
    import secrets  # noqa: PLC0415 - off the hot path

    from otpkeep.otp.exporters.writer import exportable  # noqa: PLC0415 - same
    from otpkeep.otp.migration import encode_migration_uris  # noqa: PLC0415 - same
    from otpkeep.otp.qr import qr_terminal  # noqa: PLC0415 - same
    from otpkeep.otp.uri import format_uri  # noqa: PLC0415 - same

    if fmt not in TERMINAL_FORMATS:
        raise InvalidInputError("--terminal draws qr, otpauth or google-migration exports only.")
    accounts = [exportable(account) for account in accounts]
    if fmt == "google-migration":
        texts = encode_migration_uris(accounts, batch_id=secrets.randbits(31))
    else:
        texts = [format_uri(account) for account in accounts]
    for number, text in enumerate(texts, start=1):
        print(f"QR code {number} of {len(texts)}:")
        print(qr_terminal(text))


def _left_out(accounts: list[Account], fmt: str, *, partial: bool) -> list[Account]:
    """The accounts to export: those the format cannot hold are named, and left out on request."""
    from otpkeep.otp.exporters.writer import unsupported  # noqa: PLC0415 - off the hot path

    missing = unsupported(accounts, fmt)
    if not missing:
        return accounts
    named = "; ".join(f"{account.label} ({reason})" for account, reason in missing[:5])
    more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
    if not partial:
        raise InvalidInputError(
            f"{len(missing)} of {counted(len(accounts), 'account')} cannot be exported as {fmt}: "
            f"{named}{more}. Pass --partial to export the others, or choose another format."
        )
    for account, reason in missing:
        print(f"Left out {account.label}: {fmt} cannot hold {reason}.", file=sys.stderr)
    kept = [account for account in accounts if all(account is not m for m, _ in missing)]
    if not kept:
        raise InvalidInputError(f"None of the accounts can be exported as {fmt}.")
    return kept


def _to_stdout(files: list[ExportFile], fmt: str) -> None:
    if len(files) != 1:
        raise InvalidInputError(
            f"The {fmt} export is {counted(len(files), 'file')}: give a PATH to write them "
            "to, not -."
        )
    sys.stdout.flush()
    sys.stdout.buffer.write(files[0].data)
    sys.stdout.buffer.flush()


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    """Write every account in the chosen format (this shows the secrets)."""
    live = ctx.vault().load().live()
    accounts = [stored.account for stored in live if stored.account is not None]
    if not accounts:
        raise InvalidInputError("The vault has no accounts to export.")
    if args.terminal:
        _draw(_left_out(accounts, args.format, partial=args.partial), args.format)
        return 0
    if not args.path:
        raise InvalidInputError(
            "Give the PATH to write the export to (- for standard output, or --terminal for QR)."
        )
    from otpkeep.otp.exporters import export  # noqa: PLC0415 - off the hot path

    accounts = _left_out(accounts, args.format, partial=args.partial)
    files = export(accounts, args.format, password=_password(args.format))
    if args.path == "-":
        _to_stdout(files, args.format)
        print(
            f"Exported {counted(len(accounts), 'account')}; the output holds the secrets.",
            file=sys.stderr,
        )
        return 0
    targets = _targets(Path(args.path).expanduser(), files)
    if not args.force:
        for target in targets:
            if target.exists():
                raise InvalidInputError(
                    f"{target} already exists: choose another name or pass --force."
                )
    for target, item in zip(targets, files, strict=True):
        output.write_private(target, item.data, force=args.force)
        print(f"Wrote {target}")
    print(
        f"Exported {counted(len(accounts), 'account')}; the files hold their secrets.",
        file=sys.stderr,
    )
    return 0
