"""Questions to the person: a line, a secret, a yes or no.

On a terminal, secrets are read without echo (getpass) and prompts go to standard
error, so standard output keeps only results. When standard input is not a
terminal, each prompt reads the next line of it, in the order prompts are asked,
so every flow can be scripted; nothing read is echoed.
"""

from __future__ import annotations

import sys
from typing import TextIO

from otpkeep.errors import InvalidInputError


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _read_line(prompt: str, stdin: TextIO) -> str:
    line = stdin.readline()
    if not line:
        what = prompt.strip().rstrip(":?").strip() or "the prompt"
        raise InvalidInputError(f"No input for {what!r}: standard input ended.")
    return line.rstrip("\r\n")


def ask(prompt: str, *, stdin: TextIO | None = None, stderr: TextIO | None = None) -> str:
    """One line of text; the prompt is shown on a terminal only."""
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
    answer = ask(f"{prompt} [y/N] ", stdin=stdin, stderr=stderr)
    return answer.casefold() in {"y", "yes"}


def is_interactive(stdin: TextIO | None = None) -> bool:
    """Whether standard input is a terminal (a person is typing)."""
    return _is_terminal(stdin or sys.stdin)
