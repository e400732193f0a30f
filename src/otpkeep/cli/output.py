"""What commands print: aligned tables for people, JSON for scripts.

What ``otpkeep code`` and ``otpkeep list`` show (:func:`code_results`,
:func:`print_codes`, :func:`print_accounts`) is written once, here, for both of their
paths: the full command's ``Account`` objects and the quick path's ``QuickAccount``
(:mod:`otpkeep.cli.entry`), which is why this module imports only the standard library's
light modules and :mod:`otpkeep.otp.codes`.
"""

from __future__ import annotations

import os
import sys

from otpkeep.errors import InvalidInputError
from otpkeep.otp.codes import code_from_fields, readable, valid_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence
    from pathlib import Path
    from typing import Any, Protocol, TextIO

    class Shown(Protocol):
        """What a table or ``--json`` shows of an account, and what its code needs: an
        ``Account``, or the quick reader's ``QuickAccount`` (type and algorithm as text)."""

        @property
        def secret(self) -> bytes: ...

        @property
        def issuer(self) -> str: ...
        @property
        def name(self) -> str: ...
        @property
        def type(self) -> str: ...
        @property
        def algorithm(self) -> str: ...
        @property
        def digits(self) -> int: ...
        @property
        def period(self) -> int: ...
        @property
        def counter(self) -> int: ...


NO_ACCOUNTS = "The vault has no accounts yet: add one with otpkeep add."
"""What ``code`` and ``list`` say (on standard error) of a vault without accounts."""
CODE_HEADERS = ("ISSUER", "NAME", "CODE", "VALID")
LIST_HEADERS = ("ISSUER", "NAME", "TYPE", "ALGORITHM", "DIGITS")


def table_text(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns padded to their widest cell, a line per row; the last column is not padded."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for row in (headers, *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip() + "\n")
    return "".join(lines)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO | None = None) -> None:
    """:func:`table_text`, written to ``out`` (standard output by default)."""
    (out or sys.stdout).write(table_text(headers, rows))


def print_json(value: Any, out: TextIO | None = None) -> None:
    """Indented JSON and a newline."""
    import json  # noqa: PLC0415 - only --json needs it: `otpkeep code` starts without json

    stream = out or sys.stdout
    stream.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def account_fields(account: Shown) -> dict[str, Any]:
    """What ``--json`` shows of an account: never the secret."""
    fields: dict[str, Any] = {
        "issuer": account.issuer,
        "name": account.name,
        "type": str(account.type),
        "algorithm": str(account.algorithm),
        "digits": account.digits,
    }
    if account.type == "hotp":
        fields["counter"] = account.counter
    else:
        fields["period"] = account.period
    return fields


def is_terminal(stream: TextIO | None = None) -> bool:
    """Whether ``stream`` (standard output by default) is a terminal a person reads."""
    try:
        return (stream or sys.stdout).isatty()
    except (AttributeError, ValueError):
        return False


def kind_of(account: Shown) -> str:
    """``totp 30s``, ``hotp #12``, ``steam 30s``: the type and what drives it."""
    if account.type == "hotp":
        return f"hotp #{account.counter}"
    return f"{account.type} {account.period}s"


def code_results(accounts: Iterable[Shown], at: float) -> list[dict[str, Any]]:
    """What ``code --json`` shows of each account at ``at``: its fields, its code and
    (TOTP and Steam) the whole seconds the code stays valid."""
    results = []
    for account in accounts:
        code = code_from_fields(
            account.secret,
            at,
            otp_type=account.type,
            algorithm=account.algorithm,
            digits=account.digits,
            period=account.period,
            counter=account.counter,
        )
        result = {**account_fields(account), "code": code}
        if account.type != "hotp":
            result["valid_for"] = valid_for(at, account.period)
        results.append(result)
    return results


def print_codes(results: Sequence[Mapping[str, Any]], *, grouped: bool) -> int:
    """``code``'s table of :func:`code_results` in one write, or :data:`NO_ACCOUNTS`; 0.

    ``grouped``: the digits grouped as they are read aloud (:func:`otpkeep.otp.codes.readable`),
    for a terminal.
    """
    if not results:
        print(NO_ACCOUNTS, file=sys.stderr)
        return 0
    rows = [
        [
            str(item["issuer"]),
            str(item["name"]),
            readable(str(item["code"]), str(item["type"])) if grouped else str(item["code"]),
            f"{item['valid_for']}s" if "valid_for" in item else f"#{item['counter']}",
        ]
        for item in results
    ]
    sys.stdout.write(table_text(CODE_HEADERS, rows))
    return 0


def print_accounts(accounts: Sequence[Shown]) -> int:
    """``list``'s table in one write (never a secret), or :data:`NO_ACCOUNTS`; 0."""
    if not accounts:
        print(NO_ACCOUNTS, file=sys.stderr)
        return 0
    rows = [
        [acc.issuer, acc.name, kind_of(acc), str(acc.algorithm), str(acc.digits)]
        for acc in accounts
    ]
    sys.stdout.write(table_text(LIST_HEADERS, rows))
    return 0


def silence_stdout() -> None:
    """The reader went away (``otpkeep list | head``): what is left goes nowhere, quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def write_private(path: Path, data: bytes, *, force: bool) -> None:
    """Write ``data`` to a file only its owner can read: 0600, also when ``force`` replaces one.

    Without ``force`` an existing file is refused, never overwritten.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
    except FileExistsError:
        raise InvalidInputError(
            f"{path} already exists: choose another name or pass --force."
        ) from None
    except OSError as exc:
        raise InvalidInputError(f"{path} cannot be written ({exc.strerror}).") from exc
