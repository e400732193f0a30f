"""Text with one ``otpauth://`` or ``otpauth-migration://`` URI a line.

The plain-text exports (otpauth lists, WinAuth, Ente Auth, Authenticator Plus's
``Accounts.txt``) and pasted text are all this.
"""

from __future__ import annotations

from otpkeep.errors import InvalidURIError
from otpkeep.otp.importers.fields import MAX_ENTRIES, entry
from otpkeep.otp.importers.report import ImportEntry
from otpkeep.otp.migration import decode_migration_uri
from otpkeep.otp.uri import parse_uri

OTPAUTH = "otpauth://"
MIGRATION = "otpauth-migration://"


def uri_entry(uri: str, label: str = "") -> list[ImportEntry]:
    """The entries one URI holds: one for ``otpauth://``, a batch for ``otpauth-migration://``."""
    uri = uri.strip()
    if uri.lower().startswith(MIGRATION):
        try:
            batch = decode_migration_uri(uri)
        except InvalidURIError as exc:
            return [ImportEntry.skipped(label or "Google Authenticator export", exc.message)]
        return [ImportEntry.imported(account) for account in batch.accounts]
    return [entry(label or _label(uri), parse_uri, uri)]


def _label(uri: str) -> str:
    """The label of a URI that may not parse: its path, never its query (the secret)."""
    path = uri.split("?", 1)[0].rsplit("/", 1)[-1]
    return path[:100] or "(unnamed)"


def looks_like_uri_list(text: str) -> bool:
    """Whether ``text`` is a list of otpauth URIs (blank lines and comments allowed)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")]
    return bool(lines) and all(
        line.lower().startswith(("otpauth", "otpauth-migration")) for line in lines
    )


def read_lines(text: str) -> list[ImportEntry]:
    """One entry per URI line; other non-blank lines are skipped with a reason."""
    entries: list[ImportEntry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(entries) >= MAX_ENTRIES:
            entries.append(ImportEntry.skipped(f"line {number}", "Too many entries in one file."))
            break
        if stripped.lower().startswith(("otpauth://", MIGRATION)):
            entries.extend(uri_entry(stripped))
        else:
            entries.append(
                ImportEntry.skipped(f"line {number}", "The line is not an otpauth:// URI.")
            )
    return entries
