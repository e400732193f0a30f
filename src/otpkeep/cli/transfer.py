"""``otpkeep transfer``: bring the backed-up accounts to this device."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.cli.terminal import run
from otpkeep.words import counted

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep transfer``."""
    transfer = subparsers.add_parser(
        "transfer",
        help="bring your backed-up accounts to this device",
        description="Verify the backup's email, then enter the backup passcode. The backup is "
        "merged into this device: nothing already here is lost.",
    )
    transfer.add_argument("--email", default=None, help="the backup's email address")
    transfer.add_argument("--resend", action="store_true", help="ask for a new emailed code")
    transfer.set_defaults(func=run_transfer, backup_after=False)


def run_transfer(args: argparse.Namespace, ctx: Context) -> int:
    """Run the transfer and say what arrived."""
    from otpkeep.device.flows.transfer import transfer  # noqa: PLC0415

    session = ctx.session()
    result = run(session, transfer(session, args.email, resend=args.resend))
    print(
        f"Transfer complete: {counted(len(result.arrived), 'account')} arrived"
        + (f", {result.already_here} already on this device." if result.already_here else ".")
    )
    for label in result.arrived:
        print(f"  {label}")
    print("Backup is on for this device: changes are backed up automatically.")
    return 0
