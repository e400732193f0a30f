"""The person's data at the service: see all of it, or have all of it deleted.

:func:`export_account` fetches everything the service holds about the backup's account
(the address, the passcode's fingerprints and counters, every sealed version as stored,
the devices, the security events); :func:`export_text` words it for reading, and
:func:`export_json` keeps it whole. :func:`delete_account` deletes the account with
everything in it, after a confirmation: the accounts stay on every device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING

from otpkeep.device.actions import Action
from otpkeep.device.backup.sync import BACKUP_OFF, backup_key
from otpkeep.device.flows.steps import Ask, Busy, Flow, Question
from otpkeep.device.proofs import possession_header
from otpkeep.errors import BackupError, ServiceRefusal
from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode
from otpkeep.words import counted

if TYPE_CHECKING:
    from otpkeep.device.session import Session

DELETE_QUESTION = (
    "Delete your account at the backup service: the address, the passcode, every backup "
    "version, every device and every event? Backup turns off on every device; the accounts "
    "stay on each device."
)
_GONE = frozenset({ErrorCode.UNAUTHORIZED, ErrorCode.SESSION_ENDED, ErrorCode.NO_BACKUP})


def _signed_in(session: Session) -> None:
    state = session.backup()
    if not state.verified:
        raise BackupError(BACKUP_OFF, action=Action.ENABLE_BACKUP)


def export_account(session: Session) -> m.AccountExport:
    """Everything the service holds about this backup's account."""
    _signed_in(session)
    with session.client(session.backup()) as client:
        return client.export()


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "none"
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def export_text(export: m.AccountExport) -> list[str]:
    """The export as lines a person reads: what is stored, and what each part is."""
    lines = [
        f"Account {export.account_id}, for {export.email}, made {_when(export.created_at)}.",
    ]
    escrow = export.passcode
    if escrow is None:
        lines.append("Passcode: none set.")
    else:
        lines += [
            (
                f"Passcode: key version {escrow.key_version}, set {_when(escrow.created_at)}; "
                f"{counted(escrow.tries_left, 'try')} left, "
                f"{counted(escrow.failures, 'wrong passcode')} so far. The service keeps only "
                "keys derived from it, named here by their SHA-256:"
            ),
            f"  authentication key  {escrow.auth_public_key_sha256}",
            f"  wrapped data key    {escrow.wrapped_data_key_sha256}",
            f"  possession key      {escrow.possession_public_key_sha256}",
        ]
    lines.append(
        f"Backup versions: {len(export.backups)} (sealed: only your devices can open them)."
    )
    for version in export.backups:
        digest = hashlib.sha256(version.data).hexdigest()[:16]
        lines.append(
            f"  version {version.version}  {_when(version.created_at)}  "
            f"{counted(version.size, 'byte')}  sha256 {digest}…"
        )
    lines.append(f"Devices: {len(export.devices)}.")
    lines += [
        f"  {device.name or '(unnamed)'}  {device.scope.value}  last seen "
        f"{_when(device.last_seen_at)}"
        for device in export.devices
    ]
    lines.append(f"Security events: {len(export.events)}.")
    lines += [f"  {_when(event.created_at)}  {event.kind.value}" for event in export.events]
    return lines


def export_json(export: m.AccountExport) -> str:
    """The export whole, as indented JSON (the sealed versions in base64)."""
    return json.dumps(export.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def delete_account(session: Session) -> Flow[bool]:
    """Delete the account at the service after confirmation; False when not confirmed."""
    _signed_in(session)
    state = session.backup()
    data_key, account_id = backup_key(state)
    if (yield Question(Ask.CONFIRM, DELETE_QUESTION)) is not True:
        return False
    yield Busy("Deleting your account at the service…")
    with session.client(state) as client:
        try:
            client.delete_account(
                possession_header(
                    client,
                    data_key=data_key,
                    account_id=account_id,
                    action=m.PossessionAction.DELETE_ACCOUNT,
                )
            )
        except ServiceRefusal as exc:
            if exc.code not in _GONE:
                raise
    with session.edit() as current:
        current.forget_session()
    return True
