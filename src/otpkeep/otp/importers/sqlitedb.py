"""Reading rows from an app's SQLite database, given as untrusted bytes.

The bytes go to a private temporary file that SQLite opens read-only and
immutable, with schema code untrusted; only plain ``SELECT`` of named columns from
a named table runs, with a row limit. Every SQLite error is :class:`ImportFormatError`.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from otpkeep.errors import ImportFormatError
from otpkeep.otp.importers.source import SQLITE_MAGIC, Source

MAX_ROWS = 100_000


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def table_columns(source: Source, table: str) -> set[str] | None:
    """The columns of ``table``, or ``None`` when the file is not SQLite or has no such table."""
    if not source.has_magic(SQLITE_MAGIC):
        return None
    try:
        rows = _query(source.data, f"PRAGMA table_info({_quote(table)})")
    except ImportFormatError:
        return None
    return {row["name"] for row in rows if isinstance(row["name"], str)} or None


def select(source: Source, table: str, columns: list[str]) -> list[dict[str, object]]:
    """Every row of ``columns`` from ``table``, as dictionaries; more than the limit is refused."""
    names = ", ".join(_quote(column) for column in columns)
    rows = _query(source.data, f"SELECT {names} FROM {_quote(table)} LIMIT {MAX_ROWS + 1}")  # noqa: S608
    if len(rows) > MAX_ROWS:
        raise ImportFormatError(
            f"The database holds more than {MAX_ROWS:,} accounts, "
            "more than otpkeep imports at once."
        )
    return rows


def _text(value: bytes) -> str:
    """Text of a column; bytes that are not UTF-8 read as U+FFFD, so a damaged label
    still imports and a damaged secret is refused for the character it holds."""
    return value.decode("utf-8", errors="replace")


def _query(data: bytes, sql: str) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory(prefix="otpkeep-import-") as folder:
        path = Path(folder) / "import.db"
        path.write_bytes(data)
        path.chmod(0o600)
        try:
            connection = sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
        except sqlite3.Error as exc:
            raise ImportFormatError("The database file cannot be opened.") from exc
        try:
            connection.row_factory = sqlite3.Row
            connection.text_factory = _text
            connection.execute("PRAGMA trusted_schema = OFF")
            connection.execute("PRAGMA cell_size_check = ON")
            return [dict(row) for row in connection.execute(sql).fetchall()]
        except (sqlite3.Error, ValueError) as exc:
            raise ImportFormatError("The database file is damaged or not of this app.") from exc
        finally:
            connection.close()
