"""Plain-text exports: one ``otpauth://`` URI a line (otpauth lists, WinAuth, Ente Auth)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.uritext import looks_like_uri_list, read_lines

if TYPE_CHECKING:
    from otpkeep.otp.importers.report import ImportEntry
    from otpkeep.otp.importers.source import Password, Source


def _is_uri_list(source: Source) -> bool:
    return source.text is not None and looks_like_uri_list(source.text)


def _is_ente(source: Source) -> bool:
    return _is_uri_list(source) and "codeDisplay=" in (source.text or "")


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    return read_lines(source.text or "")


ENTE = FormatSpec("ente", _is_ente, _read, (".txt",))
OTPAUTH = FormatSpec("otpauth", _is_uri_list, _read, (".txt",))


def _is_migration(source: Source) -> bool:
    text = source.text
    if text is None or not looks_like_uri_list(text):
        return False
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return all(line.lower().startswith("otpauth-migration://") for line in lines)


GOOGLE_MIGRATION = FormatSpec("google-migration", _is_migration, _read, (".txt",))
