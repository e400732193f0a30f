"""``otpkeep settings change-email | change-passcode``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.cli.terminal import run

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep settings`` and its sub-commands."""
    settings = subparsers.add_parser("settings", help="the backup's email and passcode")
    settings.set_defaults(backup_after=False)
    actions = settings.add_subparsers(title="settings", metavar="SETTING", required=True)
    email = actions.add_parser(
        "change-email", help="move the backup to another email address (verified first)"
    )
    email.add_argument("--email", default=None, help="the new email address")
    email.add_argument("--resend", action="store_true", help="ask for a new emailed code")
    email.set_defaults(func=run_change_email)
    passcode = actions.add_parser("change-passcode", help="choose a new backup passcode")
    passcode.set_defaults(func=run_change_passcode)


def run_change_email(args: argparse.Namespace, ctx: Context) -> int:
    """Verify the new address and switch to it."""
    from otpkeep.device.flows.settings import change_email  # noqa: PLC0415

    session = ctx.session()
    email = run(session, change_email(session, args.email, resend=args.resend))
    print(f"The backup's email address is now {email}; the old address was told.")
    return 0


def run_change_passcode(_args: argparse.Namespace, ctx: Context) -> int:
    """Choose a new passcode; the data key is wrapped again."""
    from otpkeep.device.flows.settings import change_passcode  # noqa: PLC0415

    session = ctx.session()
    run(session, change_passcode(session))
    print("The backup passcode was changed: a transfer now needs the new one.")
    return 0
