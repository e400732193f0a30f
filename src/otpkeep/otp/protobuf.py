"""The protobuf wire format, as far as Google's export needs it: varints and bytes.

Fields of the other wire types are skipped; groups (deprecated wire types 3 and 4)
are refused. Every malformed input raises :class:`ValueError`, which callers
translate into the error their users see.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

VARINT = 0
FIXED64 = 1
LENGTH = 2
FIXED32 = 5
_MAX_VARINT_BYTES = 10
_UINT64 = 2**64

Field = tuple[int, int, int | bytes]
"""A decoded field: number, wire type, and an int (varint) or bytes (everything else)."""


def read_varint(data: bytes, offset: int) -> tuple[int, int]:
    """The unsigned varint at ``offset`` and the offset after it."""
    value = 0
    for index in range(_MAX_VARINT_BYTES):
        if offset + index >= len(data):
            raise ValueError("truncated varint")
        byte = data[offset + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if value >= _UINT64:
                raise ValueError("varint larger than 64 bits")
            return value, offset + index + 1
    raise ValueError("varint longer than ten bytes")


def fields(data: bytes) -> Iterator[Field]:
    """Every field of one message, in order."""
    offset = 0
    while offset < len(data):
        key, offset = read_varint(data, offset)
        number, wire_type = key >> 3, key & 0x07
        if number == 0:
            raise ValueError("field number zero")
        if wire_type == VARINT:
            value, offset = read_varint(data, offset)
            yield number, wire_type, value
            continue
        if wire_type == LENGTH:
            size, offset = read_varint(data, offset)
        elif wire_type == FIXED64:
            size = 8
        elif wire_type == FIXED32:
            size = 4
        else:
            raise ValueError(f"unsupported wire type {wire_type}")
        end = offset + size
        if end > len(data):
            raise ValueError("truncated field")
        yield number, wire_type, data[offset:end]
        offset = end


def as_int64(value: int) -> int:
    """A varint read as the two's complement int64 that protobuf ``int64`` means."""
    return value - _UINT64 if value >= _UINT64 // 2 else value


def as_int32(value: int) -> int:
    """A varint read as protobuf ``int32``: the low 32 bits, two's complement."""
    low = value & 0xFFFF_FFFF
    return low - 2**32 if low >= 2**31 else low


def write_varint(value: int) -> bytes:
    """``value`` as a varint; negative numbers as ten-byte two's complement, as protobuf does."""
    if value < 0:
        value += _UINT64
    if not 0 <= value < _UINT64:
        raise ValueError("value does not fit in 64 bits")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def varint_field(number: int, value: int) -> bytes:
    """A varint field."""
    return write_varint(number << 3 | VARINT) + write_varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    """A length-delimited field (bytes, string or embedded message)."""
    return write_varint(number << 3 | LENGTH) + write_varint(len(value)) + value
