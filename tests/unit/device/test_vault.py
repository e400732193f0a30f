"""The device vault: sealed, atomic, locked, and never overwriting a damaged file."""

from __future__ import annotations

import stat
import subprocess
from typing import TYPE_CHECKING, Any, ClassVar

import pytest

from otpkeep.device.vault import Vault, VaultData
from otpkeep.device.vault import file as vaultfile
from otpkeep.device.vault.state import VaultState
from otpkeep.errors import (
    DeviceKeyError,
    NotFoundError,
    VaultCorruptError,
    VaultError,
    VaultLockedError,
)
from otpkeep.otp.account import Account, OtpType

if TYPE_CHECKING:
    from pathlib import Path

SECRET = b"12345678901234567890"


class Note:
    """A section of the vault's state for these tests: one line of text."""

    NAME: ClassVar[str] = "note"

    def __init__(self, text: str = "") -> None:
        self.text = text

    @classmethod
    def from_json(cls, raw: object) -> Note:
        return cls(raw["text"] if isinstance(raw, dict) else "")

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text}


def _account(name: str = "alice", issuer: str = "Example") -> Account:
    return Account(issuer=issuer, name=name, secret=SECRET)


def _vault(home: Path, **options: object) -> Vault:
    return Vault(home, keystore="file", **options)  # type: ignore[arg-type]


def _filled(home: Path) -> Vault:
    vault = _vault(home)
    with vault.transaction() as data:
        data.add(_account(), 1000)
        data.state.get(Note).text = "kept"
    return vault


def test_accounts_and_state_survive_a_round_trip(tmp_path: Path) -> None:
    """What a transaction stores is what a later load returns, state included."""
    _filled(tmp_path)
    loaded = _vault(tmp_path).load()
    [stored] = loaded.live()
    assert stored.account == _account()
    assert stored.updated_at == 1000
    assert loaded.state.get(Note).text == "kept"
    assert loaded.state.to_json() == {"note": {"text": "kept"}}


def test_the_file_holds_no_secret_in_clear(tmp_path: Path) -> None:
    """The vault file is sealed: neither the secret nor the account name is readable."""
    vault = _filled(tmp_path)
    raw = vault.path.read_bytes()
    assert raw.startswith(vaultfile.MAGIC)
    assert SECRET not in raw
    assert b"GEZDGNBV" not in raw
    assert b"alice" not in raw


def test_files_are_private_to_their_owner(tmp_path: Path) -> None:
    """The vault and its key file are readable by their owner only."""
    vault = _filled(tmp_path)
    for path in (vault.path, tmp_path / "vault.key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_no_vault_loads_empty_and_an_unchanged_transaction_writes_nothing(tmp_path: Path) -> None:
    """A missing vault reads as empty; a transaction that changes nothing creates no file."""
    vault = _vault(tmp_path)
    assert vault.load() == VaultData()
    with vault.transaction():
        pass
    assert not vault.exists()
    assert not (tmp_path / "vault.key").exists()


def test_a_failing_transaction_writes_nothing(tmp_path: Path) -> None:
    """An exception inside a transaction leaves the file exactly as it was."""
    vault = _filled(tmp_path)
    before = vault.path.read_bytes()

    def add_then_fail() -> None:
        with vault.transaction() as data:
            data.add(_account("bob"), 2000)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        add_then_fail()
    assert vault.path.read_bytes() == before
    assert len(vault.load().live()) == 1


def test_the_same_account_is_never_doubled(tmp_path: Path) -> None:
    """Adding the same secret, issuer and name again returns None and stores nothing new."""
    vault = _filled(tmp_path)
    with vault.transaction() as data:
        assert data.add(_account(), 2000) is None
        assert data.add(_account(issuer="EXAMPLE", name="ALICE"), 2000) is None
        assert data.add(_account("bob"), 2000) is not None
    assert [s.account.name for s in vault.load().live() if s.account] == ["alice", "bob"]


def test_remove_leaves_a_tombstone_and_update_stamps_the_time(tmp_path: Path) -> None:
    """A removed account is gone from live() but kept as a dated tombstone."""
    vault = _filled(tmp_path)
    with vault.transaction() as data:
        [stored] = data.live()
        data.update(stored.id, stored.account.replace(counter=7), 1500)  # type: ignore[union-attr]
        assert data.accounts[stored.id].updated_at == 1500
        data.remove(stored.id, 2000)
        with pytest.raises(NotFoundError):
            data.remove(stored.id, 2001)
    loaded = vault.load()
    assert loaded.live() == []
    [tomb] = loaded.accounts.values()
    assert (tomb.deleted, tomb.account, tomb.updated_at) == (True, None, 2000)


def test_on_change_runs_only_when_accounts_change(tmp_path: Path) -> None:
    """The change hook sees account changes, may write state, and skips state-only changes."""
    calls: list[int] = []

    def mark(data: VaultData) -> None:
        calls.append(len(data.live()))
        data.state.get(Note).text += " and changed"

    vault = _vault(tmp_path, on_change=mark)
    with vault.transaction() as data:
        data.state.get(Note).text = "set"
    with vault.transaction() as data:
        data.add(_account(), 1)
    assert calls == [1]
    assert vault.load().state.to_json() == {"note": {"text": "set and changed"}}


def test_sections_no_code_asks_for_are_kept(tmp_path: Path) -> None:
    """A section written by another otpkeep (one this code does not know) survives a write."""
    vault = _vault(tmp_path)
    with vault.transaction() as data:
        data.state = VaultState({"later": {"what": [1, 2]}})
        data.add(_account(), 1)
    with vault.transaction() as data:
        data.state.get(Note).text = "mine"
    assert vault.load().state.to_json() == {"later": {"what": [1, 2]}, "note": {"text": "mine"}}


def test_a_flipped_byte_is_refused_and_never_overwritten(tmp_path: Path) -> None:
    """A damaged vault raises VaultCorruptError on load and on write, and keeps its bytes."""
    vault = _filled(tmp_path)
    raw = bytearray(vault.path.read_bytes())
    raw[-5] ^= 0x01
    vault.path.write_bytes(bytes(raw))
    with pytest.raises(VaultCorruptError, match="left untouched"):
        _vault(tmp_path).load()
    with pytest.raises(VaultCorruptError), _vault(tmp_path).transaction() as data:
        data.add(_account("bob"), 1)
    assert vault.path.read_bytes() == bytes(raw)


@pytest.mark.parametrize("length", [0, 5, 20, 80, 120])
def test_a_truncated_vault_is_refused(tmp_path: Path, length: int) -> None:
    """Every truncation of the file is reported as damage, never read as an empty vault."""
    vault = _filled(tmp_path)
    vault.path.write_bytes(vault.path.read_bytes()[:length])
    with pytest.raises(VaultCorruptError):
        _vault(tmp_path).load()


def test_a_foreign_file_is_refused(tmp_path: Path) -> None:
    """A file that is not a vault is named as such."""
    (tmp_path / "vault.otpkeep").write_text('{"accounts": []}')
    with pytest.raises(VaultCorruptError, match="not an otpkeep vault"):
        _vault(tmp_path).load()


def test_the_header_is_authenticated(tmp_path: Path) -> None:
    """Editing the plain header (here the vault id) breaks the seal."""
    vault = _filled(tmp_path)
    header, _, sealed = vaultfile.parse(vault.path, vault.path.read_bytes())
    other = vaultfile.Header(vault_id="0" * 32, keystore=header.keystore)
    vault.path.write_bytes(other.encode() + sealed)
    with pytest.raises(VaultCorruptError):
        _vault(tmp_path).load()


def test_a_newer_format_asks_for_an_upgrade(tmp_path: Path) -> None:
    """A vault from a newer otpkeep is refused with a request to upgrade."""
    vault = _filled(tmp_path)
    header, _, sealed = vaultfile.parse(vault.path, vault.path.read_bytes())
    newer = vaultfile.Header(vault_id=header.vault_id, keystore="file", format=99)
    vault.path.write_bytes(newer.encode() + sealed)
    with pytest.raises(VaultError, match="upgrade"):
        _vault(tmp_path).load()


def test_a_missing_key_file_says_what_to_do(tmp_path: Path) -> None:
    """Without its key file the vault cannot open, and the error says to copy the key."""
    _filled(tmp_path)
    (tmp_path / "vault.key").unlink()
    with pytest.raises(DeviceKeyError, match="copy it"):
        _vault(tmp_path).load()


def test_another_key_does_not_open_the_vault(tmp_path: Path) -> None:
    """A vault with someone else's key file is reported damaged-or-wrong-key, not emptied."""
    _filled(tmp_path / "a")
    _filled(tmp_path / "b")
    (tmp_path / "b" / "vault.key").replace(tmp_path / "a" / "vault.key")
    with pytest.raises(VaultCorruptError, match="device key"):
        _vault(tmp_path / "a").load()


def test_a_held_lock_times_out(tmp_path: Path) -> None:
    """A transaction waits for the lock, then gives up with VaultLockedError."""
    vault = _vault(tmp_path, lock_timeout=0.05)
    tmp_path.mkdir(exist_ok=True)
    with (
        vaultfile.locked(vault.lock_path, 1.0),
        pytest.raises(VaultLockedError),
        vault.transaction() as data,
    ):
        data.add(_account(), 1)
    assert not vault.exists()


def test_hotp_type_and_counter_are_kept(tmp_path: Path) -> None:
    """Every account field, HOTP counter included, survives the vault."""
    account = Account(
        issuer="Bank", name="me", secret=SECRET, type=OtpType.HOTP, digits=8, counter=41
    )
    vault = _vault(tmp_path)
    with vault.transaction() as data:
        data.add(account, 1)
    [stored] = vault.load().live()
    assert stored.account == account


def test_a_device_folder_that_is_a_file_or_inside_one_is_one_sentence(tmp_path: Path) -> None:
    """``--home`` naming a file, or a folder under a file: a VaultError that says so."""
    afile = tmp_path / "afile"
    afile.write_text("not a folder")
    for home in (afile, afile / "sub"):
        with pytest.raises(VaultError, match="is not a folder"):
            _vault(home).load()
        with (
            pytest.raises(VaultError, match=r"is a file|cannot be made"),
            _vault(home).transaction() as data,
        ):
            data.add(_account(), 1)
    assert afile.read_text() == "not a folder"


def test_a_device_folder_on_a_read_only_disk_is_one_sentence(tmp_path: Path) -> None:
    """A new device folder on a read-only file system cannot be made: it says why."""
    mount = tmp_path / "ro"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("mounting a read-only tmpfs needs root")
    try:
        with (
            pytest.raises(VaultError, match=r"cannot be made \(Read-only file system\)"),
            _vault(mount / "new").transaction() as data,
        ):
            data.add(_account(), 1)
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_crash_s_temporary_files_are_removed_by_the_next_write(tmp_path: Path) -> None:
    """A half-written vault or key file (a plaintext copy of the key) does not linger."""
    vault = _filled(tmp_path)
    leftovers = [tmp_path / ".vault.otpkeep.4242.tmp", tmp_path / ".vault.key.4242.tmp"]
    for path in leftovers:
        path.write_bytes(b"left by a crash")
    (tmp_path / "notes.tmp").write_text("not ours")
    with vault.transaction() as data:
        data.add(_account("bob"), 2000)
    assert not any(path.exists() for path in leftovers)
    assert (tmp_path / "notes.tmp").exists()


def test_a_snapshot_is_read_again_once_another_process_replaced_the_file(tmp_path: Path) -> None:
    """Loading twice reads the file once; a write through another Vault is seen at once."""
    mine = _filled(tmp_path)
    first = mine.load()
    assert mine.load() is first
    with _vault(tmp_path).transaction() as data:
        data.add(_account("bob"), 2000)
    again = mine.load()
    assert again is not first
    assert sorted(s.account.name for s in again.live() if s.account) == ["alice", "bob"]


def test_reading_accounts_in_a_transaction_changes_nothing(tmp_path: Path) -> None:
    """Accounts are built when read; reading them is no change: nothing saved, no hook."""
    changes: list[VaultData] = []
    _filled(tmp_path)
    vault = _vault(tmp_path, on_change=changes.append)
    before = vault.path.stat().st_mtime_ns
    with vault.transaction() as data:
        assert [s.account.name for s in data.live() if s.account] == ["alice"]
    assert changes == []
    assert vault.path.stat().st_mtime_ns == before
