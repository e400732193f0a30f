"""After a command: the backup that waits, said in one short line, and tried only when due.

A command that changed the accounts tries the upload once, with a client that gives up at
once on a service that does not answer (:func:`otpkeep.cli.context.quick_connect`); a
command that only read makes no connection at all. Either way, when a change still waits,
one line of at most :data:`MAX_LINE` characters on standard error says so, and ``otpkeep
backup now`` gives the whole story. What the service said once — this device was signed
out, the backup was deleted — is said in full once, when it is learnt; after that the
device knows, and later commands do not repeat it or claim a retry that cannot happen.

Cheap when nothing waits: one ``stat`` of the marker beside the vault.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from otpkeep.cli.wording import with_action
from otpkeep.words import counted

if TYPE_CHECKING:
    from otpkeep.cli.context import Context
    from otpkeep.device.backup.state import BackupState
    from otpkeep.device.vault.data import VaultData

MAX_LINE = 80
"""The longest line a command adds about a pending backup."""


def changes_waiting(data: VaultData, state: BackupState) -> int:
    """How many accounts changed on this device since its last backup (at least one)."""
    since = None if state.last_success is None else int(state.last_success * 1000)
    stamps = [stored.updated_at for stored in data.accounts.values()]
    changed = sum(1 for stamp in stamps if since is None or stamp > since)
    return max(1, changed)


def _waiting(count: int) -> str:
    changes = counted(count, "change")
    return f"{changes} {'waits' if count == 1 else 'wait'}"


def pending_line(data: VaultData, state: BackupState, *, unreachable: bool | None = None) -> str:
    """The one short line about a backup that waits.

    ``unreachable``: the last try found no service (None: judge by the last error kept).
    """
    waiting = _waiting(changes_waiting(data, state))
    if state.signed_out:
        return f"otpkeep: {waiting} until this device signs in: `otpkeep backup enable`."
    if state.damaged is not None:
        return f"otpkeep: {waiting} to be backed up: `otpkeep backup status` says why."
    if unreachable is None:
        from otpkeep.device.backup.sync import UNAVAILABLE  # noqa: PLC0415 - a failure was kept

        unreachable = state.last_error_kind == UNAVAILABLE
    if unreachable:
        return f"otpkeep: {waiting} to be backed up (service unreachable)."
    if state.last_failure is None:
        return f"otpkeep: {waiting} to be backed up: `otpkeep backup now` sends it."
    return f"otpkeep: {waiting} to be backed up: `otpkeep backup now` says why."


def _say(line: str) -> None:
    sys.stdout.flush()
    print(line, file=sys.stderr, flush=True)


def after_command(ctx: Context) -> None:
    """Upload what the command changed (once, quickly), or say in one line what waits."""
    from otpkeep.device.backup.pending import PENDING_MARKER  # noqa: PLC0415

    marker = ctx.home / PENDING_MARKER
    if not marker.exists():
        return
    from otpkeep.device.backup.pending import needs_sync  # noqa: PLC0415
    from otpkeep.device.backup.state import BackupState  # noqa: PLC0415

    data = ctx.vault().load()
    state = data.state.get(BackupState)
    if not needs_sync(data):
        # Nothing waits, or nothing can go up by itself (signed out, a damaged version):
        # that was said in full when it was learnt, and status and notifications say it.
        marker.unlink(missing_ok=True)
        if ctx.changed and state.enabled and state.pending:
            _say(pending_line(data, state))
        return
    if not ctx.changed:
        _say(pending_line(data, state))  # a command that only read makes no connection
        return
    from otpkeep.errors import OtpkeepError, ServiceUnavailableError  # noqa: PLC0415

    unreachable = False
    session = ctx.session(quick=True)  # httpx and pydantic: only when a change was made
    try:
        session.sync()
    except ServiceUnavailableError:
        unreachable = True
    except OtpkeepError as exc:
        if not needs_sync(session.load()):
            # Learnt now, and no retry can help (signed out, the backup gone, a damaged
            # version): said once, in full.
            marker.unlink(missing_ok=True)
            _say(f"otpkeep: {with_action(str(exc), exc.action)}")
            return
    data = session.load()
    if not needs_sync(data):
        marker.unlink(missing_ok=True)
        return
    _say(pending_line(data, data.state.get(BackupState), unreachable=unreachable))
