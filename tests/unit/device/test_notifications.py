"""Notifications: Enable Backups, failed backups, security events and the passcode check-in."""

import datetime as dt
import uuid
from collections.abc import Sequence

from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.gate import DEFAULT_CONFIG
from otpkeep.device.backup.state import BackupState, CheckIn, save_state
from otpkeep.device.notifications import Kind, collect
from otpkeep.device.vault.data import VaultData
from otpkeep.otp.account import Account
from otpkeep.protocol import messages as m
from otpkeep.protocol.kinds import SessionScope

NOW = 1_800_000_000.0


def vault_with(*issuers: str, state: BackupState | None = None) -> VaultData:
    data = VaultData()
    for i, issuer in enumerate(issuers):
        data.add(Account(issuer, "me", bytes([i + 1])), i)
    if state is not None:
        save_state(data, state)
    return data


def kinds(data: VaultData, events: Sequence[m.Event] | None = None) -> list[Kind]:
    return [n.kind for n in collect(data, DEFAULT_CONFIG, now=NOW, events=events)]


def test_enable_backups_shows_while_the_gate_is_open_and_backup_is_off() -> None:
    """An ecosystem account and backup off: Enable Backups; otherwise not."""
    assert kinds(vault_with("GitHub")) == []
    assert kinds(vault_with("GitHub", "Heroku")) == [Kind.ENABLE_BACKUPS]
    on = BackupState(enabled=True, session_token="t", scope=SessionScope.FULL)
    assert Kind.ENABLE_BACKUPS not in kinds(vault_with("Heroku", state=on), events=[])


def test_failed_backup_and_due_check_in_are_shown() -> None:
    """A pending upload that failed, and a check-in whose time has come, each show."""
    state = BackupState(
        enabled=True,
        pending=True,
        last_failure=NOW - 60,
        last_error="Cannot reach the backup service.",
        checkin=CheckIn(
            b"d", KdfParams(memory_kib=8, iterations=1, salt=b"s" * 16), next_due=NOW - 1
        ),
    )
    found = collect(vault_with("Heroku", state=state), DEFAULT_CONFIG, now=NOW, events=None)
    assert [n.kind for n in found] == [Kind.BACKUP_FAILED, Kind.CHECK_IN]
    assert "Cannot reach" in found[0].detail
    state.checkin = CheckIn(
        b"d", KdfParams(memory_kib=8, iterations=1, salt=b"s" * 16), next_due=NOW + 1
    )
    assert Kind.CHECK_IN not in kinds(vault_with("Heroku", state=state))


def test_security_events_from_the_service_are_listed() -> None:
    """A transfer, failed tries (with tries left) and a destroyed backup are shown."""
    at = dt.datetime(2027, 1, 2, 3, 4, tzinfo=dt.UTC)
    events = [
        m.Event(id=uuid.uuid4(), kind=m.EventKind.BACKUP_DESTROYED, created_at=at),
        m.Event(
            id=uuid.uuid4(),
            kind=m.EventKind.PASSCODE_FAILED,
            created_at=at,
            details={"tries_left": 7},
        ),
        m.Event(id=uuid.uuid4(), kind=m.EventKind.TRANSFER, created_at=at),
    ]
    state = BackupState(enabled=True, session_token="t", scope=SessionScope.FULL)
    found = collect(vault_with("Heroku", state=state), DEFAULT_CONFIG, now=NOW, events=events)
    titles = [n.title for n in found]
    assert titles[0] == "Backup destroyed (2027-01-02 03:04 UTC)"
    assert "Tries left: 7." in found[1].detail
    assert titles[2].startswith("Backup transferred to a new device")


def test_unreachable_service_is_said_once() -> None:
    """With a session but no events fetched, one notification says the service is unreachable."""
    state = BackupState(enabled=True, session_token="t", scope=SessionScope.FULL)
    assert kinds(vault_with("GitHub", state=state), events=None) == [Kind.OFFLINE]
