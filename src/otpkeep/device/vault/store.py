"""The device vault: one file in the device's home, sealed under the device key.

Others code against this module: ``Vault``, ``VaultData``, ``StoredAccount``.
Reads (:meth:`Vault.load`) need no lock, since writes replace the file atomically;
every change goes through :meth:`Vault.transaction`, a locked read-modify-write
that saves only on a clean exit. A damaged, truncated or foreign file raises
:class:`~otpkeep.errors.VaultCorruptError` and is never overwritten.
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Any

from otpkeep.crypto import envelope
from otpkeep.device.vault import file as vaultfile
from otpkeep.device.vault import layout
from otpkeep.device.vault.data import StoredAccount, VaultData, data_from_json, data_to_json, new_id
from otpkeep.device.vault.home import resolve_home
from otpkeep.device.vault.keystore import (
    FileKeyStore,
    KeyringBackend,
    KeyStore,
    choose_store,
    open_store,
    system_keyring,
)
from otpkeep.errors import DecryptionError, VaultCorruptError, VaultError

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Iterator
    from pathlib import Path

__all__ = ["LOCK_FILE_NAME", "SCHEMA", "VAULT_FILE_NAME", "StoredAccount", "Vault", "VaultData"]

VAULT_FILE_NAME = layout.VAULT_FILE_NAME
LOCK_FILE_NAME = layout.LOCK_FILE_NAME
SCHEMA = layout.SCHEMA
"""The version of the sealed payload; raise it (in :mod:`layout`) with a step in ``MIGRATIONS``."""

MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}
"""``MIGRATIONS[n]`` turns a schema-``n`` payload into a schema-``n + 1`` payload."""


class Vault:
    """The encrypted vault in ``home``; see the module docstring."""

    def __init__(
        self,
        home: Path,
        *,
        on_change: Callable[[VaultData], None] | None = None,
        lock_timeout: float = 10.0,
        keystore: str | None = None,
        find_keyring: Callable[[], KeyringBackend | None] = system_keyring,
    ) -> None:
        self.home = home
        self.path = home / VAULT_FILE_NAME
        self.lock_path = home / LOCK_FILE_NAME
        self.on_change = on_change
        self.lock_timeout = lock_timeout
        self._keystore_preference = keystore
        self._find_keyring = find_keyring
        self._key: tuple[str, bytes] | None = None
        self._loaded: tuple[tuple[int, int, int], VaultData] | None = None

    @classmethod
    def at(cls, home: str | os.PathLike[str] | None = None, **options: Any) -> Vault:
        """The vault in ``home``, else ``OTPKEEP_HOME``, else the user data folder."""
        return cls(resolve_home(home), **options)

    def exists(self) -> bool:
        """Whether a vault file is there (it may still be damaged)."""
        return self.path.exists()

    def vault_id(self) -> str | None:
        """The id in the vault's header (None when there is no vault yet)."""
        found = vaultfile.read_file(self.path)
        return None if found is None else found[0].vault_id

    def keystore_kind(self) -> str | None:
        """``file`` or ``keyring`` for an existing vault; None when there is none yet."""
        found = vaultfile.read_file(self.path)
        return None if found is None else found[0].keystore

    def load(self) -> VaultData:
        """A read-only snapshot; an empty one when there is no vault yet.

        The snapshot of an unchanged file is read once: loading again returns the same
        object until the file is replaced. Change the vault only in a :meth:`transaction`.
        """
        stamp = vaultfile.stamp(self.path)
        if stamp is not None and self._loaded is not None and self._loaded[0] == stamp:
            return self._loaded[1]
        found = vaultfile.read_file(self.path)
        if found is None:
            return VaultData()
        data = self._open(*found)
        self._loaded = None if stamp is None else (stamp, data)
        return data

    @contextlib.contextmanager
    def transaction(self) -> Iterator[VaultData]:
        """Locked read-modify-write: saved atomically on a clean exit, untouched otherwise.

        Not re-entrant: do not open a second transaction inside one.
        """
        self._make_home()
        with vaultfile.locked(self.lock_path, self.lock_timeout):
            # Under the lock no other writer is half-way: a temporary file is a crash's.
            vaultfile.remove_leftovers(self.home, (VAULT_FILE_NAME, layout.KEY_FILE_NAME))
            found = vaultfile.read_file(self.path)
            if found is None:
                header, data = None, VaultData()
            else:
                header, data = found[0], self._open(*found)
            before = _snapshot(data)
            yield data
            after = _snapshot(data)
            if after[0] != before[0] and self.on_change is not None:
                self.on_change(data)
                after = _snapshot(data)
            if after == before:
                return
            if header is None:
                header, store, key = self._create()
                store.save(key)
            else:
                key = self._device_key(header)
            self._save(header, key, data_to_json(data))

    def _make_home(self) -> None:
        """The device folder, made (0700) if it is not there yet; one sentence if it cannot be."""
        if self.home.is_dir():
            return
        if self.home.exists():
            raise VaultError(f"The device folder {self.home} is a file, not a folder.")
        try:
            self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise VaultError(
                f"The device folder {self.home} cannot be made ({reason}): choose another one."
            ) from exc

    def _create(self) -> tuple[vaultfile.Header, KeyStore, bytes]:
        vault_id = new_id()
        store = choose_store(
            self.home,
            vault_id,
            preference=self._keystore_preference,
            find_keyring=self._find_keyring,
        )
        key = envelope.new_key()
        if isinstance(store, FileKeyStore) and store.path.exists():
            # A key file without a vault: keep it (a vault sealed with it may come back).
            key = store.load()
        self._key = (vault_id, key)
        return vaultfile.Header(vault_id=vault_id, keystore=store.kind), store, key

    def _device_key(self, header: vaultfile.Header) -> bytes:
        if self._key is not None and self._key[0] == header.vault_id:
            return self._key[1]
        store = open_store(
            header.keystore, self.home, header.vault_id, find_keyring=self._find_keyring
        )
        key = store.load()
        self._key = (header.vault_id, key)
        return key

    def _open(self, header: vaultfile.Header, associated: bytes, sealed: bytes) -> VaultData:
        key = self._device_key(header)
        try:
            raw = layout.unseal(key, associated, sealed)
        except DecryptionError:
            raise VaultCorruptError(
                f"The vault {self.path} is damaged, or its device key is not the one it was "
                "sealed with; it was left untouched."
            ) from None
        except ValueError as exc:
            raise VaultCorruptError(
                f"The vault {self.path} holds data otpkeep cannot read; it was left untouched."
            ) from exc
        try:
            return data_from_json(_migrate(raw))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise VaultCorruptError(
                f"The vault {self.path} holds data otpkeep cannot read; it was left untouched."
            ) from exc

    def _save(self, header: vaultfile.Header, key: bytes, payload: dict[str, Any]) -> None:
        vaultfile.write_atomically(self.path, layout.seal(key, header.encode(), payload))


def _snapshot(data: VaultData) -> tuple[tuple[tuple[object, ...], ...], str]:
    """What tells whether a transaction changed the vault: each account's mark (its fields
    are never changed in place, only replaced) and the state as text."""
    accounts = tuple(stored.mark() for stored in data.accounts.values())
    return accounts, json.dumps(data.state.to_json(), sort_keys=True)


def _migrate(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise TypeError("the payload must be an object")
    schema = raw.get("schema")
    if not isinstance(schema, int) or schema < 1:
        raise ValueError("the payload has no schema number")
    if schema > SCHEMA:
        raise VaultError(
            f"The vault was written by a newer otpkeep (schema {schema}): upgrade otpkeep."
        )
    payload: dict[str, Any] = raw
    while schema < SCHEMA:
        payload = MIGRATIONS[schema](payload)
        schema += 1
    return payload
