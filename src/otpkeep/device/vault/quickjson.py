"""JSON read without importing :mod:`json`: the quick path of ``otpkeep code`` and ``list``.

Importing :mod:`json` imports :mod:`re` and :mod:`enum` with it, which is most of the
start-up of ``otpkeep code`` beyond the interpreter's own (about 8 ms of 30 on the
reference machine). The parser :mod:`json` itself uses, CPython's C scanner ``_json``,
needs none of them: :func:`loads` calls it directly and falls back to :func:`json.loads`
where there is no such module (another Python). Either way the values are the same, and
text that is not one JSON document raises ValueError.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing's: this module is on the quick path
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

_WHITESPACE = " \t\n\r"  # JSON's insignificant whitespace (RFC 8259 §2)


class _Options:
    """What the C scanner reads of its context: :func:`json.loads`'s defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = float  # NaN, Infinity, -Infinity, as json.loads has them


def _c_scanner() -> Callable[[str, int], tuple[Any, int]] | None:
    try:
        from _json import make_scanner  # noqa: PLC0415 - CPython's, where it exists
    except ImportError:
        return None
    # typeshed types the context as the scanner class itself; any object with these fields works
    scanner: Callable[[str, int], tuple[Any, int]] = make_scanner(_Options())  # type: ignore[arg-type]
    return scanner


_scan = _c_scanner()


def loads(data: bytes) -> Any:
    """The value of the JSON document in ``data`` (UTF-8), as :func:`json.loads` reads it."""
    text = data.decode("utf-8")  # UnicodeDecodeError is a ValueError
    if _scan is None:
        import json  # noqa: PLC0415 - another Python: the standard parser

        return json.loads(text)
    start = len(text) - len(text.lstrip(_WHITESPACE))
    try:
        value, end = _scan(text, start)
    except StopIteration as stop:
        raise ValueError(f"Expecting a JSON value at character {stop.value}.") from None
    if text[end:].strip(_WHITESPACE):
        raise ValueError(f"Extra data after the JSON value at character {end}.")
    return value
