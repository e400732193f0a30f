"""A minimal, bounded reader of one Java-serialised ``HashMap<String, String>``.

FreeOTP 2 writes its backup with ``ObjectOutputStream``: the stream header, the
class descriptor of ``java.util.HashMap`` (fields ``loadFactor`` and
``threshold``), their values, a block with the capacity and the size, then the
keys and values as string objects (or back-references to earlier strings). This
reads exactly that and refuses everything else.
"""

from __future__ import annotations

import struct

from otpkeep.errors import ImportFormatError

MAGIC = b"\xac\xed\x00\x05"
TC_NULL = 0x70
TC_REFERENCE = 0x71
TC_CLASSDESC = 0x72
TC_OBJECT = 0x73
TC_STRING = 0x74
TC_BLOCKDATA = 0x77
TC_ENDBLOCKDATA = 0x78
TC_LONGSTRING = 0x7C
BASE_HANDLE = 0x7E0000
HASHMAP = "java.util.HashMap"
MAX_ENTRIES = 10_000
PRIMITIVE_SIZES = {"B": 1, "C": 2, "D": 8, "F": 4, "I": 4, "J": 8, "S": 2, "Z": 1}


class _Stream:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.handles: list[object] = []

    def take(self, size: int) -> bytes:
        if size < 0 or self.pos + size > len(self.data):
            raise ImportFormatError("The FreeOTP backup is truncated.")
        chunk = self.data[self.pos : self.pos + size]
        self.pos += size
        return chunk

    def u8(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack(">H", self.take(2))[0]
        return value

    def i32(self) -> int:
        value: int = struct.unpack(">i", self.take(4))[0]
        return value

    def utf(self, size: int) -> str:
        # Java's modified UTF-8 differs from UTF-8 only for NUL and astral characters.
        try:
            return self.take(size).decode("utf-8", errors="surrogatepass")
        except UnicodeDecodeError:
            raise ImportFormatError("The FreeOTP backup holds text that does not decode.") from None

    def string(self) -> str | None:
        tag = self.u8()
        if tag == TC_NULL:
            return None
        if tag == TC_STRING:
            value = self.utf(self.u16())
        elif tag == TC_LONGSTRING:
            (size,) = struct.unpack(">q", self.take(8))
            value = self.utf(size)
        elif tag == TC_REFERENCE:
            index = self.i32() - BASE_HANDLE
            if not 0 <= index < len(self.handles) or not isinstance(self.handles[index], str):
                raise ImportFormatError("The FreeOTP backup has a broken reference.")
            return str(self.handles[index])
        else:
            raise ImportFormatError("The FreeOTP backup holds something other than text.")
        self.handles.append(value)
        return value


def _class_descriptor(stream: _Stream) -> list[str]:
    if stream.u8() != TC_CLASSDESC:
        raise ImportFormatError("The FreeOTP backup does not start with a class description.")
    if stream.utf(stream.u16()) != HASHMAP:
        raise ImportFormatError("The FreeOTP backup does not hold a HashMap.")
    stream.take(8 + 1)  # serialVersionUID, flags
    stream.handles.append(HASHMAP)
    types = []
    for _ in range(stream.u16()):
        code = chr(stream.u8())
        stream.utf(stream.u16())
        if code not in PRIMITIVE_SIZES:
            raise ImportFormatError("The FreeOTP backup's HashMap has unexpected fields.")
        types.append(code)
    if stream.u8() != TC_ENDBLOCKDATA or stream.u8() != TC_NULL:
        raise ImportFormatError("The FreeOTP backup's HashMap has annotations or a superclass.")
    return types


def read_string_map(data: bytes) -> dict[str, str]:
    """The string keys and values of a serialised HashMap, in stream order."""
    stream = _Stream(data)
    if stream.take(4) != MAGIC or stream.u8() != TC_OBJECT:
        raise ImportFormatError("The file is not a serialised Java object.")
    types = _class_descriptor(stream)
    stream.handles.append("<object>")
    stream.take(sum(PRIMITIVE_SIZES[code] for code in types))
    if stream.u8() != TC_BLOCKDATA or stream.u8() != 8:
        raise ImportFormatError("The FreeOTP backup's HashMap has no size.")
    stream.i32()  # capacity
    size = stream.i32()
    if not 0 <= size <= MAX_ENTRIES:
        raise ImportFormatError("The FreeOTP backup's HashMap has an impossible size.")
    result: dict[str, str] = {}
    for _ in range(size):
        key, value = stream.string(), stream.string()
        if key is not None and value is not None:
            result[key] = value
    return result
