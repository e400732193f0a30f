"""The entry points: detect an export file's format and read it."""

from __future__ import annotations

import sqlite3
import struct
import zipfile
import zlib

from otpkeep.errors import ImportFormatError, OtpkeepError
from otpkeep.otp.importers import registry
from otpkeep.otp.importers.fields import EntryError
from otpkeep.otp.importers.report import ImportReport
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


def read_export(
    data: bytes,
    *,
    filename: str = "",
    format: str = AUTO,  # noqa: A002 - the public keyword the CLI passes through
    password: PasswordPrompt | None = None,
) -> ImportReport:
    """Read an export file; ``password()`` is called only when the file is encrypted."""
    source = Source(data, filename)
    if format == AUTO:
        spec = registry.detect(source)
        if spec is None:
            raise ImportFormatError(
                "This file is not an export format otpkeep knows; "
                "see `otpkeep import --help` for the formats it reads."
            )
    else:
        spec = registry.BY_NAME.get(format)
        if spec is None:
            raise ImportFormatError(f"Unknown import format {format[:40]!r}.")
        if not spec.detect(source):
            raise ImportFormatError(f"This file is not a {spec.name} export, or it is damaged.")
    try:
        entries = spec.read(source, Password(password))
    except OtpkeepError:
        raise
    except _DAMAGE as exc:
        raise ImportFormatError(f"This {spec.name} file is damaged and cannot be read.") from exc
    return ImportReport(format=spec.name, entries=entries)


def read_text(text: str) -> ImportReport:
    """Read one ``otpauth://`` URI, an ``otpauth-migration://`` URI, or one URI per line."""
    if len(text) > MAX_TEXT:
        raise ImportFormatError("The text is longer than 1 MiB: it is not a list of URIs.")
    lines = [line.strip().lower() for line in text.splitlines() if line.strip()]
    if not any(line.startswith("otpauth") for line in lines):
        raise ImportFormatError("The text holds no otpauth:// URI.")
    entries = read_lines(text)
    migration = bool(lines) and all(line.startswith("otpauth-migration://") for line in lines)
    return ImportReport(format="google-migration" if migration else "otpauth", entries=entries)
