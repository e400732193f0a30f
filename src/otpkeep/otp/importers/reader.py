"""The entry points: detect an export file's format and read it."""

from __future__ import annotations

import sqlite3
import struct
import zipfile
import zlib

from otpkeep.errors import ImportFormatError, InvalidAccountError, OtpkeepError
from otpkeep.otp.account import check_new_account
from otpkeep.otp.importers import registry
from otpkeep.otp.importers.fields import EntryError
from otpkeep.otp.importers.report import ImportEntry, ImportReport
from otpkeep.otp.importers.source import Password, PasswordPrompt, Source
from otpkeep.otp.importers.uritext import read_lines

AUTO = "auto"
MAX_TEXT = 1024 * 1024
# Parsers of untrusted bytes raise these on damaged input; each importer translates
# what it expects, and this is the one net at the boundary for what slips through.
_DAMAGE = (
    EntryError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    AttributeError,
    struct.error,
    zipfile.BadZipFile,
    zlib.error,
    sqlite3.Error,
    RecursionError,
    OverflowError,
)


def formats() -> list[str]:
    """The names ``read_export(format=...)`` accepts, besides ``auto``."""
    return sorted(registry.BY_NAME)


def _unknown(source: Source) -> ImportFormatError:
    text = source.text
    if text is not None and text.lstrip()[:1] in ("{", "["):
        return ImportFormatError(
            "This file is JSON that does not parse (cut short or damaged), or JSON of no "
            "export format otpkeep knows: export it again from the app it comes from."
        )
    return ImportFormatError(
        "This file is not an export format otpkeep knows; "
        "see `otpkeep import --help` for the formats it reads."
    )


def _checked(entries: list[ImportEntry]) -> list[ImportEntry]:
    """Entries whose account cannot come into a vault (a secret too short, ...) are skipped."""
    result = []
    for entry in entries:
        checked = entry
        if entry.account is not None:
            try:
                check_new_account(entry.account)
            except InvalidAccountError as exc:
                checked = ImportEntry.skipped(entry.label, exc.message)
        result.append(checked)
    return result


def read_export(
    data: bytes,
    *,
    filename: str = "",
    format: str = AUTO,  # noqa: A002 - the public keyword the CLI passes through
    password: PasswordPrompt | None = None,
) -> ImportReport:
    """Read an export file; ``password()`` is called only when the file is encrypted.

    The format is known before any password is asked: a file of no known format is
    refused with one sentence, never taken for an encrypted one.
    """
    source = Source(data, filename)
    if format == AUTO:
        spec = registry.detect(source)
        if spec is None:
            raise _unknown(source)
    else:
        spec = registry.BY_NAME.get(format)
        if spec is None:
            raise ImportFormatError(f"Unknown import format {format[:40]!r}.")
        if not spec.accepts(source):
            raise ImportFormatError(f"This file is not a {spec.name} export, or it is damaged.")
    try:
        entries = spec.read(source, Password(password))
    except OtpkeepError:
        raise
    except _DAMAGE as exc:
        raise ImportFormatError(f"This {spec.name} file is damaged and cannot be read.") from exc
    return ImportReport(format=spec.name, entries=_checked(entries))


def read_text(text: str) -> ImportReport:
    """Read one ``otpauth://`` URI, an ``otpauth-migration://`` URI, or one URI per line."""
    if len(text) > MAX_TEXT:
        raise ImportFormatError("The text is longer than 1 MiB: it is not a list of URIs.")
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    if not any(line.startswith("otpauth") for line in lines):
        raise ImportFormatError("The text holds no otpauth:// URI.")
    entries = _checked(read_lines(text))
    migration = bool(lines) and all(line.startswith("otpauth-migration://") for line in lines)
    return ImportReport(format="google-migration" if migration else "otpauth", entries=entries)
