"""``otpkeep backup enable | status | now | versions | restore | disable | check-in``.

Heavy libraries (httpx, pydantic, the crypto backends) are imported inside the
handlers only: every ``otpkeep`` run imports this module to build its parser.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

from otpkeep.cli import output
from otpkeep.cli.terminal import run
from otpkeep.cli.wording import with_action
from otpkeep.device.actions import Action
from otpkeep.words import counted

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context
    from otpkeep.device.backup.state import BackupState


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep backup`` and its sub-commands."""
    backup = subparsers.add_parser("backup", help="the end-to-end encrypted backup")
    backup.set_defaults(backup_after=False)
    actions = backup.add_subparsers(title="backup commands", metavar="ACTION", required=True)

    enable = actions.add_parser(
        "enable",
        help="turn backup on (verify the email, choose a passcode, upload)",
        description="Turn backup on. Needs an account of the service's ecosystem on this "
        "device. Asks for the emailed code, then a passcode twice.",
    )
    enable.add_argument("--email", default=None, help="the email address for the backup")
    enable.add_argument("--resend", action="store_true", help="ask for a new emailed code")
    enable.set_defaults(func=run_enable)

    status = actions.add_parser(
        "status",
        help="the last backup, pending changes, the version",
        description="The backup's state on this device. --json prints an object with "
        "enabled, email, server, signed_in, signed_out, version, last_success, pending, "
        "last_failure, last_error and damaged (times in ISO 8601, UTC).",
    )
    status.add_argument("--json", action="store_true", help="print JSON")
    status.set_defaults(func=run_status)

    now = actions.add_parser(
        "now",
        help="upload a backup now",
        description="Upload the accounts now, merging what other devices changed first. "
        "Nothing is uploaded when the backup already holds them. --heal uploads over a "
        "newest version that cannot be opened (the newest one that opens is merged in first).",
    )
    now.add_argument(
        "--heal", action="store_true", help="upload over a version that cannot be opened"
    )
    now.set_defaults(func=run_now)

    versions = actions.add_parser(
        "versions",
        help="the versions the service keeps",
        description="The backup versions the service keeps, newest first, each opened on "
        "this device to say what it holds: how many accounts, and the ones it added (+) and "
        "removed (-) since the version before it. --json prints a list of objects with "
        "version, created_at (ISO 8601, UTC), size (bytes), accounts (null: it cannot be "
        "opened), added and removed.",
    )
    versions.add_argument("--json", action="store_true", help="print JSON")
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


_OFF_BECAUSE = {
    "backup_deleted": ": the backup was deleted at the service, from this device or another",
    "backup_destroyed": ": the backup was destroyed after too many wrong passcodes",
}
"""Why backup is off, when the service said so (``BackupState.signed_out``)."""

_SIGNED_OUT_BECAUSE = {
    "revoked": "Another of your devices removed this one.",
    "replaced": "A newer session replaced this device's.",
    "email_change_undone": "The backup's previous address undid this device's change of address.",
}
"""Why the service signed this device out (``BackupState.signed_out``), for the status."""


def _when(moment: float | None) -> str:
    if moment is None:
        return "never"
    return dt.datetime.fromtimestamp(moment, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def run_enable(args: argparse.Namespace, ctx: Context) -> int:
    """Turn backup on (or sign a signed-out device in again) and say what was backed up."""
    from otpkeep.device.flows.enable import enable_backup  # noqa: PLC0415

    session = ctx.session()
    result = run(session, enable_backup(session, args.email, resend=args.resend))
    if result.reconnected:
        print(f"This device is signed in again to the backup of {result.email}.")
        return 0
    print(
        f"Backup is on for {result.email}: {counted(len(result.labels), 'account')} "
        f"backed up (version {result.version})."
    )
    for label in result.labels:
        print(f"  {label}")
    return 0


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return dt.datetime.fromtimestamp(moment, dt.UTC).isoformat()


def status_fields(state: BackupState, server: str | None) -> dict[str, object]:
    """What ``backup status --json`` shows: never a token or a key."""
    return {
        "enabled": state.enabled,
        "email": state.email or None,
        "server": server,
        "signed_in": state.enabled and not state.signed_out,
        "signed_out": state.signed_out,
        "version": state.last_version,
        "last_success": _iso(state.last_success),
        "pending": state.enabled and state.pending,
        "last_failure": _iso(state.last_failure) if state.pending else None,
        "last_error": (state.last_error or None) if state.pending else None,
        "damaged": state.damaged,
    }


def run_status(args: argparse.Namespace, ctx: Context) -> int:
    """Print the backup's state."""
    session = ctx.session()
    state = session.backup()
    if args.json:
        server = session.server_url() if state.enabled else None
        output.print_json(status_fields(state, server))
        return 0
    if not state.enabled:
        why = _OFF_BECAUSE.get(state.signed_out or "", "")
        print(with_action(f"Backup is off{why}.", Action.ENABLE_BACKUP))
        return 0
    print(f"Backup:       on, for {state.email} at {session.server_url()}")
    if state.signed_out:
        why = _SIGNED_OUT_BECAUSE.get(state.signed_out, "The service signed this device out.")
        print(f"Signed in:    no. {with_action(why, Action.RECONNECT)}")
    print(f"Last success: {_when(state.last_success)}")
    print(f"Version:      {state.last_version if state.last_version is not None else 'none'}")
    print(f"Pending:      {'yes, changes wait to be uploaded' if state.pending else 'no'}")
    if state.damaged is not None:
        damaged = with_action(
            f"version {state.damaged} at the service cannot be opened.", Action.HEAL_BACKUP
        )
        print(f"Damaged:      {damaged}")
    if state.pending and state.last_error:
        print(f"Last failure: {_when(state.last_failure)}: {state.last_error}")
    return 0


def run_now(args: argparse.Namespace, ctx: Context) -> int:
    """Upload a backup now (errors are errors here)."""
    result = ctx.session().sync(heal=args.heal)
    merged = sum(len(m.added) + len(m.changed) + len(m.removed) for m in result.merged)
    extra = f"; {counted(merged, 'change')} from other devices merged in" if merged else ""
    accounts = counted(result.accounts, "account")
    if not result.stored:
        print(f"Nothing new to upload: version {result.version} already holds {accounts}{extra}.")
        return 0
    if result.healed is not None:
        extra += f", in place of version {result.healed}, which could not be opened"
    print(f"Backed up {accounts} as version {result.version}{extra}.")
    return 0


def run_versions(args: argparse.Namespace, ctx: Context) -> int:
    """List the versions the service keeps."""
    from otpkeep.device.flows.settings import versions  # noqa: PLC0415

    listed = versions(ctx.session())
    if args.json:
        output.print_json(
            [
                {
                    "version": item.version,
                    "created_at": item.created_at.astimezone(dt.UTC).isoformat(),
                    "size": item.size,
                    "accounts": item.accounts,
                    "added": list(item.added),
                    "removed": list(item.removed),
                }
                for item in listed
            ]
        )
        return 0
    if not listed:
        print("The service keeps no backup version yet.")
        return 0
    for item in listed:
        stamp = item.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        held = "cannot be opened" if item.accounts is None else counted(item.accounts, "account")
        changes = [f"+{label}" for label in item.added] + [f"-{label}" for label in item.removed]
        print(f"{item.version:>6}  {stamp}  {held}  {'  '.join(changes)}".rstrip())
    return 0


def run_restore(args: argparse.Namespace, ctx: Context) -> int:
    """Merge an older version into the vault."""
    from otpkeep.device.flows.settings import restore  # noqa: PLC0415

    result = restore(ctx.session(), args.version)
    if not result.restored:
        print(f"Version {result.version} holds no account missing on this device.")
        return 0
    print(f"Restored {counted(len(result.restored), 'account')} from version {result.version}:")
    for label in result.restored:
        print(f"  {label}")
    if not result.uploaded:
        print("They will be backed up once the service can be reached.", file=sys.stderr)
    return 0


def run_disable(args: argparse.Namespace, ctx: Context) -> int:
    """Delete the backup at the service after confirmation."""
    from otpkeep.device.flows.settings import disable  # noqa: PLC0415

    session = ctx.session()
    if not run(session, disable(session), assume_yes=args.yes):
        print("Nothing deleted.")
        return 1
    print(
        "The backup was deleted at the service, and backup is off on every device that used "
        "it; the accounts stay on each device."
    )
    return 0


def run_check_in(_args: argparse.Namespace, ctx: Context) -> int:
    """Ask for the passcode and check it on the device."""
    from otpkeep.device.flows.passcode import check_in  # noqa: PLC0415

    session = ctx.session()
    return 0 if run(session, check_in(session)) else 1
