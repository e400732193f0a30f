"""``otpkeep notifications | devices [rename ID NAME | revoke ID] | verify CODE | open URL``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

from otpkeep.cli import output

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context

_NEXT_STEP = {
    "enable": "Email verified: an `otpkeep backup enable` waiting for the code goes on by "
    "itself; else run `otpkeep backup enable` to go on.",
    "transfer": "Email verified: an `otpkeep transfer` waiting for the code goes on by itself; "
    "else run `otpkeep transfer` to enter your backup passcode.",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the notification, device and verification commands."""
    notes = subparsers.add_parser(
        "notifications",
        help="what needs your attention",
        description="Every notification that applies now. --json prints a list of objects "
        "with kind, key, title, detail, action (what you can do, or null) and next_step "
        "(that action as a command, or null).",
    )
    notes.add_argument("--json", action="store_true", help="print JSON")
    notes.set_defaults(func=run_notifications, backup_after=False)

    devices = subparsers.add_parser(
        "devices",
        help="the devices that hold your backup",
        description="The devices signed in to your backup. --json prints a list of objects "
        "with id, name, scope, created_at, last_seen_at (ISO 8601, UTC) and current.",
    )
    devices.add_argument("--json", action="store_true", help="print JSON")
    actions = devices.add_subparsers(title="device commands", metavar="ACTION")
    rename = actions.add_parser(
        "rename", help="give a device another name (as every device lists it)"
    )
    rename.add_argument("device_id", metavar="ID")
    rename.add_argument("name", metavar="NAME")
    rename.set_defaults(func=run_rename, backup_after=False)
    revoke = actions.add_parser("revoke", help="end a device's access to the backup")
    revoke.add_argument("device_id", metavar="ID")
    revoke.set_defaults(func=run_revoke)
    devices.set_defaults(func=run_devices, backup_after=False)

    verify = subparsers.add_parser("verify", help="enter the code from the verification email")
    verify.add_argument("code", metavar="CODE")
    verify.set_defaults(func=run_verify, backup_after=False)

    opener = subparsers.add_parser(
        "open",
        help="open the link of the verification email",
        description="Verify with the link of the verification email (its https:// link, or "
        "the otpkeep://verify?... link of the page it opens), or with --install-handler make "
        "the desktop open otpkeep:// links with otpkeep.",
    )
    opener.add_argument("url", nargs="?", metavar="URL")
    opener.add_argument(
        "--install-handler", action="store_true", help="register the otpkeep: scheme"
    )
    opener.set_defaults(func=run_open, backup_after=False)


def run_notifications(args: argparse.Namespace, ctx: Context) -> int:
    """Print every notification that applies now."""
    from otpkeep.cli.wording import ACTIONS, with_action  # noqa: PLC0415

    found, _ = ctx.session().notifications(online=True)
    if args.json:
        output.print_json(
            [
                {
                    "kind": note.kind.value,
                    "key": note.key,
                    "title": note.title,
                    "detail": note.detail,
                    "action": None if note.action is None else note.action.value,
                    "next_step": ACTIONS.get(note.action) if note.action is not None else None,
                }
                for note in found
            ]
        )
        return 0
    if not found:
        print("No notifications.")
    for note in found:
        print(f"* {note.title}")
        print(f"  {with_action(note.detail, note.action)}".rstrip())
    return 0


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def run_devices(args: argparse.Namespace, ctx: Context) -> int:
    """List the devices with a session for this backup."""
    from otpkeep.device.flows.settings import devices  # noqa: PLC0415

    listed = devices(ctx.session())
    if args.json:
        output.print_json(
            [
                {
                    "id": str(device.id),
                    "name": device.name,
                    "scope": device.scope.value,
                    "created_at": device.created_at.astimezone(dt.UTC).isoformat(),
                    "last_seen_at": device.last_seen_at.astimezone(dt.UTC).isoformat(),
                    "current": device.current,
                }
                for device in listed
            ]
        )
        return 0
    for device in listed:
        mark = "  (this device)" if device.current else ""
        name = device.name or "(unnamed)"
        print(
            f"{device.id}  {name}  {device.scope.value}  "
            f"last seen {_stamp(device.last_seen_at)}{mark}"
        )
    return 0


def run_rename(args: argparse.Namespace, ctx: Context) -> int:
    """Rename one device."""
    from otpkeep.device.flows.settings import rename_device  # noqa: PLC0415

    renamed = rename_device(ctx.session(), args.device_id, args.name)
    print(f"The device is now called {renamed.name}.")
    return 0


def run_revoke(args: argparse.Namespace, ctx: Context) -> int:
    """End one device's session."""
    from otpkeep.device.flows.settings import revoke_device  # noqa: PLC0415

    revoke_device(ctx.session(), args.device_id)
    print("The device was revoked: it can no longer read or change the backup.")
    return 0


def _report_verified(purpose: str, email: str) -> None:
    print(_NEXT_STEP.get(purpose, f"The backup's email address is now {email}."))


def run_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Finish the pending verification with the typed code."""
    from otpkeep.device.flows.verify import confirm_pending  # noqa: PLC0415

    purpose, grant = confirm_pending(ctx.session(), args.code)
    _report_verified(purpose, grant.email)
    return 0


def run_open(args: argparse.Namespace, ctx: Context) -> int:
    """Verify through the emailed link, or install the link handler."""
    from otpkeep.errors import InvalidInputError  # noqa: PLC0415

    if args.install_handler:
        from otpkeep.cli.desktop import install_handler  # noqa: PLC0415

        print(install_handler())
        return 0
    if not args.url:
        raise InvalidInputError("Give the link of the email to open, or --install-handler.")
    from otpkeep.device.flows.verify import (  # noqa: PLC0415
        confirm_pending,
        open_emailed,
        read_link,
    )

    link = read_link(args.url)
    if link is None:
        raise InvalidInputError("That is not a link from an otpkeep verification email.")
    session = ctx.session()
    verification_id, code = open_emailed(session, link)
    purpose, grant = confirm_pending(session, code, verification_id=verification_id)
    _report_verified(purpose, grant.email)
    sys.stdout.flush()
    return 0
