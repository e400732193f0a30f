"""``otpkeep tui`` (and ``otpkeep`` alone on a terminal): the terminal app."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    parser.set_defaults(func=run_tui)


def run_tui(args: argparse.Namespace, ctx: Context) -> int:
    """Run the app until the person quits."""
    del args
    from otpkeep.tui.app import make_app  # noqa: PLC0415 - textual only when the app runs

    make_app(ctx.home, clock=ctx.clock, server=ctx.server).run()
    return 0
