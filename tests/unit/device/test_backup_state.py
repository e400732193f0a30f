"""The backup settings in the vault: a round trip, no secret in repr, the change hook."""

from otpkeep.crypto.kdf import KdfParams
from otpkeep.device.backup.pending import mark_pending, needs_sync
from otpkeep.device.backup.state import (
    BackupState,
    CheckIn,
    PendingVerification,
    load_state,
    save_state,
)
from otpkeep.device.vault.data import VaultData
from otpkeep.protocol.kinds import Purpose, SessionScope


def full_state() -> BackupState:
    return BackupState(
        server_url="https://b.test",
        email="a@b.test",
        account_id="0" * 32,
        session_token="tok-SECRET",
        scope=SessionScope.FULL,
        enabled=True,
        data_key=b"K" * 32,
        key_version=2,
        last_version=7,
        verification=PendingVerification("v1", "a@b.test", Purpose.ENABLE, 100.0),
        checkin=CheckIn(b"D" * 32, KdfParams(memory_kib=64, iterations=1, salt=b"S" * 16), 50.0, 1),
    )


def test_state_round_trips_through_the_vault_json() -> None:
    """Every field, bytes included, comes back as it was saved."""
    data = VaultData()
    save_state(data, full_state())
    assert load_state(data) == full_state()
    assert load_state(VaultData()) == BackupState()


def test_repr_shows_no_secret() -> None:
    """The session token, data key and check-in digest never appear in repr."""
    text = repr(full_state())
    assert "tok-SECRET" not in text
    assert "KKKK" not in text
    assert "DDDD" not in text


def test_change_hook_marks_pending_only_when_backup_is_on() -> None:
    """Edits mark a pending upload when backup is on, and nothing when it is off."""
    off = VaultData()
    mark_pending(off)
    assert not needs_sync(off)
    on = VaultData()
    save_state(on, full_state())
    assert not needs_sync(on)
    mark_pending(on)
    assert needs_sync(on)


def test_forgetting_the_session_keeps_only_the_server() -> None:
    """Turning backup off drops the key and session but remembers the service."""
    state = full_state()
    state.forget_session()
    assert state == BackupState(server_url="https://b.test")


def test_odd_nested_sections_read_as_absent_not_as_a_crash() -> None:
    """Unknown keys in a nested section are ignored; a section missing its fields reads as None;
    a value of the wrong type takes its default."""
    raw = full_state().to_json()
    raw["verification"]["added_later"] = 1
    raw["checkin"] = {"digest": "not even base64"}
    raw["scope"] = "emperor"
    raw["key_version"] = "two"
    state = BackupState.from_json(raw)
    assert state.verification == full_state().verification
    assert state.checkin is None
    assert state.scope is None
    assert state.key_version == 0


def test_a_check_in_stored_with_flat_parameters_still_reads() -> None:
    """A vault written when the check-in kept memory, passes, lanes and salt flat reads the same."""
    raw = full_state().to_json()
    raw["checkin"] = {
        "digest": "REREREREREREREREREREREREREREREREREREREREREQ=",
        "memory_kib": 64,
        "iterations": 1,
        "lanes": 1,
        "salt": "U1NTU1NTU1NTU1NTU1NTUw==",
        "next_due": 50.0,
        "step": 1,
    }
    assert BackupState.from_json(raw).checkin == full_state().checkin
