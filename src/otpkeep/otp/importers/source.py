"""An export file as the importers see it: its bytes, and views of them parsed on demand.

Every view is bounded and never raises: a view that does not apply is ``None``, so
detection can ask each format in turn without parsing the file twice.
"""

from __future__ import annotations

import codecs
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
        """The file as text without a byte-order mark, or ``None`` when it is not text.

        UTF-8 first; then UTF-16 (with a byte-order mark, or without one when every
        other byte is zero) and Windows-1252/Latin-1, which editors and older apps
        write; text in those must be printable (tabs and line breaks aside).
        """
        return decode_text(self.data)

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


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\t\r\n" for ch in text)


def _utf16_without_mark(data: bytes) -> str | None:
    if len(data) < 2 or len(data) % 2:
        return None
    sample = data[:512]
    if sample[1::2].count(0) == len(sample) // 2:
        encoding = "utf-16-le"
    elif sample[0::2].count(0) == len(sample) // 2:
        encoding = "utf-16-be"
    else:
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_text(data: bytes) -> str | None:
    """``data`` as text in the encodings export files come in, or ``None`` (see Source.text)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text: str | None = data.decode("utf-16")
        except UnicodeDecodeError:
            return None
        return text if text is not None and _printable(text) else None
    text = _utf16_without_mark(data)
    if text is not None:
        return text if _printable(text) else None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        pass
    if text is None:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return text if _printable(text) else None


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
