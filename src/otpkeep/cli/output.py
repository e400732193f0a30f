"""What commands print: aligned tables for people, JSON for scripts."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from collections.abc import Sequence

    from otpkeep.otp.account import Account


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO | None = None) -> None:
    """Columns padded to their widest cell; the last column is not padded."""
    stream = out or sys.stdout
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    for row in (headers, *rows):
        cells = [str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)]
        stream.write("  ".join(cells).rstrip() + "\n")


def print_json(value: Any, out: TextIO | None = None) -> None:
    """Indented JSON and a newline."""
    stream = out or sys.stdout
    stream.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def account_fields(account: Account) -> dict[str, Any]:
    """What ``--json`` shows of an account: never the secret."""
    fields: dict[str, Any] = {
        "issuer": account.issuer,
        "name": account.name,
        "type": account.type.value,
        "algorithm": account.algorithm.value,
        "digits": account.digits,
    }
    if account.type.value == "hotp":
        fields["counter"] = account.counter
    else:
        fields["period"] = account.period
    return fields


def kind_of(account: Account) -> str:
    """``totp 30s``, ``hotp #12``, ``steam 30s``: the type and what drives it."""
    if account.type.value == "hotp":
        return f"hotp #{account.counter}"
    return f"{account.type.value} {account.period}s"
