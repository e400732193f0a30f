"""Where the device key is kept: the OS keyring when there is one, else a 0600 file."""

from __future__ import annotations

import stat
from typing import TYPE_CHECKING

import pytest

from otpkeep.device.vault import Vault
from otpkeep.device.vault.keystore import (
    KEYRING_SERVICE,
    FileKeyStore,
    KeyringKeyStore,
    choose_store,
    decode_key,
    encode_key,
)
from otpkeep.errors import DeviceKeyError
from otpkeep.otp.account import Account

if TYPE_CHECKING:
    from pathlib import Path


class MemoryKeyring:
    """A keyring backend that keeps passwords in a dict."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password


class BrokenKeyring:
    """A keyring backend whose every call fails, as a locked desktop keyring does."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("locked")


def _add_one(vault: Vault) -> None:
    with vault.transaction() as data:
        data.add(Account(issuer="Example", name="alice", secret=b"k" * 20), 1)


def test_a_keyring_vault_keeps_its_key_in_the_keyring_only(tmp_path: Path) -> None:
    """With a keyring, the key goes there, the header says so, and no key file is written."""
    keyring = MemoryKeyring()
    vault = Vault(tmp_path, find_keyring=lambda: keyring)
    _add_one(vault)
    assert vault.keystore_kind() == "keyring"
    assert not (tmp_path / "vault.key").exists()
    [(service, username)] = keyring.items
    assert service == KEYRING_SERVICE
    assert username.startswith("vault-")
    reopened = Vault(tmp_path, find_keyring=lambda: keyring)
    assert len(reopened.load().live()) == 1


def test_a_keyring_vault_never_falls_back_to_a_file(tmp_path: Path) -> None:
    """Once a vault uses the keyring, a missing keyring is an error, not a new key."""
    _add_one(Vault(tmp_path, find_keyring=MemoryKeyring))
    with pytest.raises(DeviceKeyError, match="keyring"):
        Vault(tmp_path, find_keyring=lambda: None).load()


def test_without_a_keyring_the_key_goes_to_a_private_file(tmp_path: Path) -> None:
    """No keyring backend means a key file with mode 0600 beside the vault."""
    vault = Vault(tmp_path, find_keyring=lambda: None)
    _add_one(vault)
    assert vault.keystore_kind() == "file"
    assert stat.S_IMODE((tmp_path / "vault.key").stat().st_mode) == 0o600


def test_the_file_store_is_chosen_when_asked_for(tmp_path: Path) -> None:
    """OTPKEEP_KEYSTORE=file wins over an available keyring; a bad value is refused."""
    keyring = MemoryKeyring()
    store = choose_store(tmp_path, "id", preference="file", find_keyring=lambda: keyring)
    assert isinstance(store, FileKeyStore)
    assert isinstance(choose_store(tmp_path, "id", find_keyring=lambda: keyring), KeyringKeyStore)
    with pytest.raises(DeviceKeyError, match="keyring"):
        choose_store(tmp_path, "id", preference="keyring", find_keyring=lambda: None)
    with pytest.raises(DeviceKeyError, match="auto, keyring or file"):
        choose_store(tmp_path, "id", preference="vault", find_keyring=lambda: None)


def test_a_failing_keyring_gives_one_sentence(tmp_path: Path) -> None:
    """Keyring errors become DeviceKeyError and no vault is written."""
    vault = Vault(tmp_path, find_keyring=BrokenKeyring)
    with pytest.raises(DeviceKeyError, match="refused"):
        _add_one(vault)
    assert not vault.exists()


def test_a_leftover_key_file_is_reused_not_replaced(tmp_path: Path) -> None:
    """Creating a vault beside an existing key file keeps that key."""
    FileKeyStore(tmp_path / "vault.key").save(b"\x07" * 32)
    _add_one(Vault(tmp_path, keystore="file"))
    assert FileKeyStore(tmp_path / "vault.key").load() == b"\x07" * 32


@pytest.mark.parametrize(
    "text",
    [
        "",
        "otpkeep-device-key-v1:",
        "otpkeep-device-key-v1:AAAA",
        "hello",
        "otpkeep-device-key-v1:!!",
    ],
)
def test_a_damaged_key_is_refused(text: str) -> None:
    """Only a well-formed 32-byte key is accepted."""
    with pytest.raises(DeviceKeyError):
        decode_key(text, "the test")


def test_the_key_text_round_trips() -> None:
    """encode_key and decode_key are inverses, with surrounding whitespace allowed."""
    key = bytes(range(32))
    assert decode_key(f" {encode_key(key)}\n", "the test") == key
