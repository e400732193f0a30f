"""Questions to the person: a line, a secret, a yes or no.

On a terminal, secrets are read without echo (getpass) and prompts go to standard
error, so standard output keeps only results. When standard input is not a
terminal, each prompt reads the next line of it, in the order prompts are asked,
so every flow can be scripted; nothing read is echoed.

A question can be answered elsewhere while it waits (the emailed link, opened on
another terminal, confirms a code): :func:`ask` then watches ``until`` once a second
and returns None as soon as it is true. Lines are read from the file descriptor
itself, so a line already typed is never lost to a buffer while it watches.
"""

from __future__ import annotations

import os
import select
import sys
from typing import TYPE_CHECKING, TextIO

from otpkeep.errors import InvalidInputError

if TYPE_CHECKING:
    from collections.abc import Callable

WATCH_EVERY = 1.0
"""Seconds between two looks at ``until`` while a question waits."""


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _descriptor(stream: TextIO) -> int | None:
    """The stream's file descriptor when lines can be watched on it (POSIX), else None."""
    if os.name != "posix":
        return None
    try:
        return stream.fileno()
    except (AttributeError, OSError, ValueError):
        return None


class _Lines:
    """Whole lines from one file descriptor, read as they come (see the module docstring)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""
        self.ended = False

    def line(self, timeout: float | None) -> str | None:
        """The next line (without its end), None when ``timeout`` passed; "" at the end."""
        while b"\n" not in self.buffer and not self.ended:
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.fd, 4096)
            if chunk:
                self.buffer += chunk
            else:
                self.ended = True
        if not self.buffer:
            return ""
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode("utf-8", "replace").rstrip("\r") + "\n"


_readers: dict[int, _Lines] = {}


def _no_input(prompt: str) -> InvalidInputError:
    what = prompt.strip().rstrip(":?").strip() or "the prompt"
    return InvalidInputError(f"No input for {what!r}: standard input ended.")


def _watch_line(prompt: str, stdin: TextIO, until: Callable[[], bool] | None) -> str | None:
    """The next line; None as soon as ``until`` holds (looked at once a second)."""
    fd = _descriptor(stdin)
    if fd is None:
        line = stdin.readline()
    else:
        reader = _readers.setdefault(fd, _Lines(fd))
        while (got := reader.line(WATCH_EVERY if until is not None else None)) is None:
            if until is not None and until():
                return None
        line = got
    if not line:
        raise _no_input(prompt)
    return line.rstrip("\r\n")


def _read_line(prompt: str, stdin: TextIO) -> str:
    """The next line, however long it takes."""
    line = _watch_line(prompt, stdin, None)
    return "" if line is None else line


def ask(
    prompt: str,
    *,
    stdin: TextIO | None = None,
    stderr: TextIO | None = None,
    until: Callable[[], bool] | None = None,
) -> str | None:
    """One line of text (the prompt is shown on a terminal only); None once ``until`` holds."""
    source = stdin or sys.stdin
    out = stderr or sys.stderr
    if _is_terminal(source):
        out.write(prompt)
        out.flush()
    answer = _watch_line(prompt, source, until)
    if answer is None:
        if _is_terminal(source):
            out.write("\n")
        return None
    return answer.strip()


def ask_line(prompt: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> str:
    """One line of text, which only the person can give."""
    source = stdin or sys.stdin
    if _is_terminal(source):
        out = stderr or sys.stderr
        out.write(prompt)
        out.flush()
    return _read_line(prompt, source).strip()


def ask_secret(prompt: str, *, stdin: TextIO | None = None) -> str:
    """A secret (password, passcode, code): never echoed."""
    source = stdin or sys.stdin
    if _is_terminal(source):
        import getpass  # noqa: PLC0415 - only interactive runs need it

        try:
            return getpass.getpass(prompt)
        except EOFError:
            raise InvalidInputError("No input: standard input ended.") from None
    return _read_line(prompt, source)


def confirm(prompt: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> bool:
    """Yes or no; only ``y`` or ``yes`` (any case) means yes."""
    answer = ask_line(f"{prompt} [y/N] ", stdin=stdin, stderr=stderr)
    return answer.casefold() in {"y", "yes"}


def is_interactive(stdin: TextIO | None = None) -> bool:
    """Whether standard input is a terminal (a person is typing)."""
    return _is_terminal(stdin or sys.stdin)
