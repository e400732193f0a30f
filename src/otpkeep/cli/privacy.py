"""``otpkeep account export [FILE|-] | delete``: your data at the backup service.

``export`` shows everything the service holds about the backup's account, worded for
reading; with FILE it writes it whole as JSON (mode 0600: it names your devices and
holds the sealed backups), ``-`` prints that JSON. ``delete`` deletes the account at the
service, after a confirmation: backup turns off on every device, the accounts stay.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from otpkeep.cli import output
from otpkeep.cli.completion import FILES, completes
from otpkeep.cli.terminal import run
from otpkeep.words import counted

if TYPE_CHECKING:
    import argparse

    from otpkeep.cli.context import Context


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``otpkeep account`` and its sub-commands."""
    account = subparsers.add_parser(
        "account", help="your data at the backup service: see all of it, or delete it"
    )
    account.set_defaults(backup_after=False)
    actions = account.add_subparsers(title="account commands", metavar="ACTION", required=True)

    export = actions.add_parser(
        "export",
        help="everything the backup service holds about you",
        description="Show everything the backup service holds about your backup's account: "
        "the address, what it keeps of the passcode, every backup version (sealed: only "
        "your devices can open them), the devices and the security events. With FILE, "
        "write it all as JSON (mode 0600); with -, print that JSON.",
    )
    path = export.add_argument("file", nargs="?", metavar="FILE|-", help="where to write JSON")
    completes(path, FILES)
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    export.set_defaults(func=run_export)

    delete = actions.add_parser(
        "delete",
        help="delete your account at the backup service (the accounts stay here)",
        description="Delete your account at the backup service: the address, the passcode, "
        "every backup version, every device and every event. Backup turns off on every "
        "device; the accounts stay on each device.",
    )
    delete.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    delete.set_defaults(func=run_delete)


def run_export(args: argparse.Namespace, ctx: Context) -> int:
    """Fetch the export; words on standard output, or the JSON to FILE or standard output."""
    from otpkeep.device.flows.privacy import (  # noqa: PLC0415 - pydantic, httpx
        export_account,
        export_json,
        export_text,
    )

    export = export_account(ctx.session())
    if args.file is None:
        for line in export_text(export):
            print(line)
        return 0
    if args.file == "-":
        sys.stdout.write(export_json(export))
        return 0
    target = Path(args.file).expanduser()
    output.write_private(target, export_json(export).encode("utf-8"), force=args.force)
    print(
        f"Wrote {target}: everything the backup service holds about {export.email} "
        f"({counted(len(export.backups), 'backup version')}, "
        f"{counted(len(export.devices), 'device')}, {counted(len(export.events), 'event')})."
    )
    return 0


def run_delete(args: argparse.Namespace, ctx: Context) -> int:
    """Delete the account at the service after a confirmation (unless ``--yes``)."""
    from otpkeep.device.flows.privacy import delete_account  # noqa: PLC0415 - pydantic, httpx

    session = ctx.session()
    email = session.backup().email
    if not run(session, delete_account(session), assume_yes=args.yes):
        print("Nothing deleted.")
        return 1
    print(
        f"Your account at the backup service ({email}) was deleted, with every backup version: "
        "backup is off on every device, and the accounts stay on each device."
    )
    return 0
