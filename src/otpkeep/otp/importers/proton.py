"""Proton Authenticator's plain JSON export: one ``otpauth://`` URI per entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.otp.importers import fields as f
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.uritext import uri_entry

if TYPE_CHECKING:
    from otpkeep.otp.importers.source import Password, Source


def _detect(source: Source) -> bool:
    doc = source.json
    entries = doc.get("entries") if isinstance(doc, dict) else None
    return (
        isinstance(doc, dict)
        and "version" in doc
        and isinstance(entries, list)
        and all(isinstance(e, dict) and isinstance(e.get("content"), dict) for e in entries)
    )


def _read(source: Source, password: Password) -> list[ImportEntry]:
    del password
    with f.file_error("Proton Authenticator"):
        items = f.array(f.mapping(source.json).get("entries"))
    result: list[ImportEntry] = []
    for item in items:
        content = f.mapping(item).get("content") if isinstance(item, dict) else None
        uri = content.get("uri") if isinstance(content, dict) else None
        name = content.get("name") if isinstance(content, dict) else None
        label = name if isinstance(name, str) else ""
        if isinstance(uri, str):
            result.extend(uri_entry(uri, label))
        else:
            result.append(ImportEntry.skipped(label, "The entry has no otpauth:// URI."))
    return result


FORMAT = FormatSpec("proton", _detect, _read, (".json",))
