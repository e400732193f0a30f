"""``otpkeep tui`` (and ``otpkeep`` alone on a terminal): the terminal app."""

from __future__ import annotations

import io
import os
import sys
from typing import TYPE_CHECKING

from otpkeep.cli.main import DEBUG_ENV, EXIT_ERROR, EXIT_USAGE

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``tui``."""
    parser = subparsers.add_parser(
        "tui",
        help="the terminal app: codes, search, copy, add, backups (also `otpkeep` alone)",
        description="Open the terminal app. Keys: / search, c copy, a add, d delete, "
        "g next HOTP code, n notifications, s settings, q quit.",
    )
    parser.set_defaults(func=run_tui, backup_after=False)


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    """Run the app until the person quits; a crash ends in one sentence and status 1."""
    del args
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "otpkeep: the terminal app needs a terminal (standard input and output are not "
            "one): run it in a terminal, or use the commands (`otpkeep --help`).",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from rich.console import Console  # noqa: PLC0415 - textual only when the app runs

    from otpkeep.tui.app import make_app  # noqa: PLC0415 - textual only when the app runs

    app = make_app(ctx.home, clock=ctx.clock, server=ctx.server)
    report = io.StringIO()
    app.error_console = Console(file=report, markup=False, highlight=False, width=100)
    app.run()
    if app.return_code:
        if os.environ.get(DEBUG_ENV):
            sys.stderr.write(report.getvalue())
        print(
            "otpkeep: the terminal app stopped on an unexpected error; run it again with "
            f"{DEBUG_ENV}=1 for details and please report it.",
            file=sys.stderr,
        )
        return EXIT_ERROR
    return 0
