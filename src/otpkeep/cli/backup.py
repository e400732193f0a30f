"""``otpkeep backup enable | status | now | versions | restore | disable | check-in``.

Heavy libraries (httpx, pydantic, the crypto backends) are imported inside the
handlers only: every ``otpkeep`` run imports this module to build its parser.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from otpkeep.cli.terminal import flow_context

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep backup`` and its sub-commands."""
    backup = subparsers.add_parser("backup", help="the end-to-end encrypted backup")
    actions = backup.add_subparsers(title="backup commands", metavar="ACTION", required=True)

    enable = actions.add_parser(
        "enable",
        help="turn backup on (verify the email, choose a passcode, upload)",
        description="Turn backup on. Needs an account of the service's ecosystem on this "
        "device. Asks for the emailed code, then a passcode twice.",
    )
    enable.add_argument("--email", default=None, help="the email address for the backup")
    enable.set_defaults(func=run_enable)

    status = actions.add_parser("status", help="the last backup, pending changes, the version")
    status.set_defaults(func=run_status)

    now = actions.add_parser("now", help="upload a backup now")
    now.set_defaults(func=run_now)

    versions = actions.add_parser("versions", help="the versions the service keeps")
    versions.set_defaults(func=run_versions)

    restore = actions.add_parser(
        "restore",
        help="bring back the accounts of an older version",
        description="Bring back every account of VERSION that is missing or deleted on this "
        "device; accounts on the device stay as they are.",
    )
    restore.add_argument("version", type=int, metavar="VERSION")
    restore.set_defaults(func=run_restore)

    disable = actions.add_parser(
        "disable", help="delete the backup at the service (the accounts stay here)"
    )
    disable.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    disable.set_defaults(func=run_disable)

    checkin = actions.add_parser("check-in", help="check that you still know the passcode")
    checkin.set_defaults(func=run_check_in)


def _when(moment: float | None) -> str:
    if moment is None:
        return "never"
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def run_enable(args: argparse.Namespace, ctx: Context) -> int:
    """Turn backup on and say what was backed up."""
    from otpkeep.device.flows.enable import enable_backup  # noqa: PLC0415

    result = enable_backup(flow_context(ctx), args.email)
    count = len(result.labels)
    print(
        f"Backup is on for {result.email}: {count} account{'s' if count != 1 else ''} "
        f"backed up (version {result.version})."
    )
    for label in result.labels:
        print(f"  {label}")
    return 0


def run_status(_args: argparse.Namespace, ctx: Context) -> int:
    """Print the backup's state."""
    from otpkeep.device.flows.verify import mask_email  # noqa: PLC0415

    flows = flow_context(ctx)
    state = flows.state()
    if not state.enabled:
        print("Backup is off. Turn it on with `otpkeep backup enable`.")
        return 0
    print(f"Backup:       on, for {mask_email(state.email)} at {flows.server_url}")
    print(f"Last success: {_when(state.last_success)}")
    print(f"Version:      {state.last_version if state.last_version is not None else 'none'}")
    print(f"Pending:      {'yes, changes wait to be uploaded' if state.pending else 'no'}")
    if state.pending and state.last_error:
        print(f"Last failure: {_when(state.last_failure)}: {state.last_error}")
    return 0


def run_now(_args: argparse.Namespace, ctx: Context) -> int:
    """Upload a backup now (errors are errors here)."""
    from otpkeep.device.backup.sync import upload  # noqa: PLC0415

    flows = flow_context(ctx)
    with flows.client(flows.state()) as client:
        result = upload(flows.vault, client, clock=flows.clock)
    merged = sum(len(m.added) + len(m.changed) + len(m.removed) for m in result.merged)
    extra = f"; {merged} change(s) from other devices merged in" if merged else ""
    print(f"Backed up {result.accounts} account(s) as version {result.version}{extra}.")
    return 0


def run_versions(_args: argparse.Namespace, ctx: Context) -> int:
    """List the versions the service keeps."""
    from otpkeep.device.flows.settings import versions  # noqa: PLC0415

    listed = versions(flow_context(ctx))
    if not listed:
        print("The service keeps no backup version yet.")
        return 0
    for item in listed:
        stamp = item.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        print(f"{item.version:>6}  {stamp}  {item.size} bytes")
    return 0


def run_restore(args: argparse.Namespace, ctx: Context) -> int:
    """Merge an older version into the vault."""
    from otpkeep.device.flows.settings import restore  # noqa: PLC0415

    result = restore(flow_context(ctx), args.version)
    if not result.restored:
        print(f"Version {result.version} holds no account missing on this device.")
        return 0
    print(f"Restored {len(result.restored)} account(s) from version {result.version}:")
    for label in result.restored:
        print(f"  {label}")
    return 0


def run_disable(args: argparse.Namespace, ctx: Context) -> int:
    """Delete the backup at the service after confirmation."""
    from otpkeep.device.flows.settings import disable  # noqa: PLC0415

    if not disable(flow_context(ctx, assume_yes=args.yes)):
        print("Nothing deleted.")
        return 1
    print("The backup was deleted at the service; the accounts stay on this device.")
    return 0


def run_check_in(_args: argparse.Namespace, ctx: Context) -> int:
    """Ask for the passcode and check it on the device."""
    from otpkeep.device.flows.passcode import check_in  # noqa: PLC0415

    return 0 if check_in(flow_context(ctx)) else 1
