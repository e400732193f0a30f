"""An export file as the importers see it: its bytes, and views of them parsed on demand.

Every view is bounded and never raises: a view that does not apply is ``None``, so
detection can ask each format in turn without parsing the file twice.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import cached_property

from otpkeep.errors import ImportFormatError, WrongPasswordError

MAX_FILE_BYTES = 16 * 1024 * 1024
SQLITE_MAGIC = b"SQLite format 3\x00"
ZIP_MAGIC = b"PK\x03\x04"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
MAX_PREFS = 10_000

PasswordPrompt = Callable[[], str]


class Source:
    """One export file: ``data`` and lazily parsed text, JSON and Android preferences."""

    def __init__(self, data: bytes, filename: str = "") -> None:
        if len(data) > MAX_FILE_BYTES:
            raise ImportFormatError("The file is larger than 16 MiB: it is not an export file.")
        self.data = data
        self.filename = filename.rsplit("/", 1)[-1].casefold()

    @cached_property
    def text(self) -> str | None:
        """The file as UTF-8 text without a byte-order mark, or ``None``."""
        try:
            return self.data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError:
            return None

    @cached_property
    def json(self) -> object:
        """The file as a JSON document, or ``None`` when it is not one."""
        text = self.text
        if text is None or text.lstrip()[:1] not in ("{", "["):
            return None
        return parse_json(text)

    @cached_property
    def prefs(self) -> dict[str, str] | None:
        """An Android ``shared_prefs`` file as ``{name: value}`` in file order, or ``None``."""
        text = self.text
        if text is None or "<map" not in text[:4096]:
            return None
        return parse_prefs(text)

    def has_magic(self, magic: bytes) -> bool:
        """Whether the file starts with ``magic``."""
        return self.data.startswith(magic)


def parse_json(text: str) -> object:
    """A JSON document, or ``None``; refuses nesting deep enough to exhaust the stack."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def parse_prefs(text: str) -> dict[str, str] | None:
    """Parse an Android preferences ``<map>``; refuses DTDs, so no entity can expand."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return None
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTD, hence no entity expansion
    except (ET.ParseError, ValueError, RecursionError):
        return None
    if root.tag != "map" or len(root) > MAX_PREFS:
        return None
    prefs: dict[str, str] = {}
    for element in root:
        name = element.get("name")
        if name is None:
            continue
        value = element.text if element.tag == "string" else element.get("value")
        prefs[name] = value or ""
    return prefs


class Password:
    """The password of an encrypted file: asked for once, only when needed."""

    def __init__(self, prompt: PasswordPrompt | None) -> None:
        self._prompt = prompt
        self._value: str | None = None

    def get(self) -> str:
        """The password; raises :class:`WrongPasswordError` when there is no way to ask."""
        if self._value is None:
            if self._prompt is None:
                raise WrongPasswordError("The file is encrypted: give its password to import it.")
            self._value = self._prompt()
        return self._value

    def encoded(self) -> bytes:
        """The password as UTF-8 bytes."""
        return self.get().encode("utf-8")
