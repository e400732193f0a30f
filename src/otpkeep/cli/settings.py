"""``otpkeep settings change-email | change-passcode``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.cli.terminal import flow_context

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep settings`` and its sub-commands."""
    settings = subparsers.add_parser("settings", help="the backup's email and passcode")
    actions = settings.add_subparsers(title="settings", metavar="SETTING", required=True)
    email = actions.add_parser(
        "change-email", help="move the backup to another email address (verified first)"
    )
    email.add_argument("--email", default=None, help="the new email address")
    email.set_defaults(func=run_change_email)
    passcode = actions.add_parser("change-passcode", help="choose a new backup passcode")
    passcode.set_defaults(func=run_change_passcode)


def run_change_email(args: argparse.Namespace, ctx: Context) -> int:
    """Verify the new address and switch to it."""
    from otpkeep.device.flows.settings import change_email  # noqa: PLC0415

    email = change_email(flow_context(ctx), args.email)
    print(f"The backup's email address is now {email}; the old address was told.")
    return 0


def run_change_passcode(_args: argparse.Namespace, ctx: Context) -> int:
    """Choose a new passcode; the data key is wrapped again."""
    from otpkeep.device.flows.settings import change_passcode  # noqa: PLC0415

    change_passcode(flow_context(ctx))
    print("The backup passcode was changed: a transfer now needs the new one.")
    return 0
