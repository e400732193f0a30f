"""``otpkeep notifications | devices [revoke ID] | verify CODE | open URL``."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

from otpkeep.cli.terminal import flow_context

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context

MAX_EVENTS = 10

_NEXT_STEP = {
    "enable": "Email verified: run `otpkeep backup enable` to choose your backup passcode.",
    "transfer": "Email verified: run `otpkeep transfer` to enter your backup passcode.",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the notification, device and verification commands."""
    notes = subparsers.add_parser("notifications", help="what needs your attention")
    notes.set_defaults(func=run_notifications)

    devices = subparsers.add_parser("devices", help="the devices that hold your backup")
    actions = devices.add_subparsers(title="device commands", metavar="ACTION")
    revoke = actions.add_parser("revoke", help="end a device's access to the backup")
    revoke.add_argument("device_id", metavar="ID")
    revoke.set_defaults(func=run_revoke)
    devices.set_defaults(func=run_devices)

    verify = subparsers.add_parser("verify", help="enter the code from the verification email")
    verify.add_argument("code", metavar="CODE")
    verify.set_defaults(func=run_verify)

    opener = subparsers.add_parser(
        "open",
        help="open an otpkeep:// link (the link in the verification email)",
        description="Open an otpkeep://verify?... link, or with --install-handler make the "
        "desktop open such links with otpkeep.",
    )
    opener.add_argument("url", nargs="?", metavar="URL")
    opener.add_argument(
        "--install-handler", action="store_true", help="register the otpkeep: scheme"
    )
    opener.set_defaults(func=run_open)


def run_notifications(_args: argparse.Namespace, ctx: Context) -> int:
    """Print every notification that applies now."""
    from otpkeep.device.backup.gate import refresh_config  # noqa: PLC0415
    from otpkeep.device.notifications import collect  # noqa: PLC0415
    from otpkeep.errors import ServiceError  # noqa: PLC0415

    flows = flow_context(ctx)
    state = flows.state()
    with flows.client(state) as client:
        config = refresh_config(flows.vault, client, now=flows.clock())
        events = None
        if state.verified:
            try:
                events = client.events().events[:MAX_EVENTS]
            except ServiceError:
                events = None
    found = collect(flows.vault.load(), config, now=flows.clock(), events=events)
    if not found:
        print("No notifications.")
    for note in found:
        print(f"* {note.title}")
        print(f"  {note.message}")
    return 0


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def run_devices(_args: argparse.Namespace, ctx: Context) -> int:
    """List the devices with a session for this backup."""
    from otpkeep.device.flows.settings import devices  # noqa: PLC0415

    for device in devices(flow_context(ctx)):
        mark = "  (this device)" if device.current else ""
        name = device.name or "(unnamed)"
        print(
            f"{device.id}  {name}  {device.scope.value}  "
            f"last seen {_stamp(device.last_seen_at)}{mark}"
        )
    return 0


def run_revoke(args: argparse.Namespace, ctx: Context) -> int:
    """End one device's session."""
    from otpkeep.device.flows.settings import revoke_device  # noqa: PLC0415

    revoke_device(flow_context(ctx), args.device_id)
    print("The device was revoked: it can no longer read or change the backup.")
    return 0


def _report_verified(purpose: str, email: str) -> None:
    print(_NEXT_STEP.get(purpose, f"The backup's email address is now {email}."))


def run_verify(args: argparse.Namespace, ctx: Context) -> int:
    """Finish the pending verification with the typed code."""
    from otpkeep.device.flows.verify import confirm_pending  # noqa: PLC0415

    purpose, grant = confirm_pending(flow_context(ctx), args.code)
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
        raise InvalidInputError("Give the otpkeep:// link to open, or --install-handler.")
    from otpkeep.device.flows.verify import confirm_pending, parse_link  # noqa: PLC0415

    verification_id, code = parse_link(args.url)
    purpose, grant = confirm_pending(flow_context(ctx), code, verification_id=verification_id)
    _report_verified(purpose, grant.email)
    sys.stdout.flush()
    return 0
