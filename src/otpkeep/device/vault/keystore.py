"""Where the device key lives: the OS keyring when one exists, else a 0600 key file.

The choice is made once, when the vault is created, and recorded in the vault's
unencrypted header (:attr:`KeyStore.kind` plus the vault id); later runs build the
same store from that record with :func:`open_store`, so ``keyring`` (slow to import)
is imported only by vaults that use it. How the key is written down (in the key file
and in the keyring alike) is :mod:`~otpkeep.device.vault.layout`'s.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Protocol

from otpkeep.device.vault import layout
from otpkeep.device.vault.layout import FILE, KEY_FILE_NAME, KEYRING, encode_key
from otpkeep.errors import DeviceKeyError

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

__all__ = [
    "FILE",
    "KEYRING",
    "KEYRING_SERVICE",
    "KEYSTORE_ENV",
    "KEY_FILE_NAME",
    "FileKeyStore",
    "KeyStore",
    "KeyringBackend",
    "KeyringKeyStore",
    "choose_store",
    "decode_key",
    "encode_key",
    "open_store",
    "system_keyring",
]

KEYRING_SERVICE = "otpkeep"
KEYSTORE_ENV = "OTPKEEP_KEYSTORE"
_NO_BACKEND = frozenset(
    {
        "keyring.backends.fail.Keyring",
        "keyring.backends.null.Keyring",
        "keyring.backends.chainer.ChainerBackend",
    }
)


class KeyringBackend(Protocol):
    """The part of a ``keyring`` backend the device uses."""

    def get_password(self, service: str, username: str) -> str | None: ...

    def set_password(self, service: str, username: str, password: str) -> None: ...


class KeyStore(Protocol):
    """Keeps one vault's device key."""

    @property
    def kind(self) -> str:
        """``file`` or ``keyring``: recorded in the vault header."""
        ...

    def load(self) -> bytes:
        """The key; :class:`DeviceKeyError` when it is missing or unreadable."""
        ...

    def save(self, key: bytes) -> None:
        """Store a new key."""
        ...


def decode_key(text: str, where: str) -> bytes:
    """Parse :func:`encode_key`'s text; anything else is a :class:`DeviceKeyError`."""
    key = layout.parse_key(text)
    if key is None:
        raise DeviceKeyError(f"The device key in {where} is not a valid otpkeep key.")
    return key


class FileKeyStore:
    """The key in a file beside the vault, readable by its owner only (mode 0600)."""

    kind = FILE

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> bytes:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            raise DeviceKeyError(
                f"The device key file {self.path} is missing: copy it from the machine "
                "the vault came from (see the README)."
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise DeviceKeyError(f"The device key file {self.path} cannot be read.") from exc
        return decode_key(text, str(self.path))

    def save(self, key: bytes) -> None:
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(encode_key(key) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            temp.replace(self.path)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise DeviceKeyError(f"The device key file {self.path} cannot be written.") from exc


class KeyringKeyStore:
    """The key in the OS keyring, under service ``otpkeep`` and the vault's id."""

    kind = KEYRING

    def __init__(
        self,
        vault_id: str,
        backend: KeyringBackend | None = None,
        *,
        find_keyring: Callable[[], KeyringBackend | None] | None = None,
    ) -> None:
        self.username = f"vault-{vault_id}"
        self._backend = backend
        self._find = find_keyring or system_keyring

    def _keyring(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = self._find()
            if self._backend is None:
                raise DeviceKeyError(
                    "This vault keeps its key in the OS keyring, and no keyring is available."
                )
        return self._backend

    def load(self) -> bytes:
        backend = self._keyring()
        try:
            text = backend.get_password(KEYRING_SERVICE, self.username)
        except Exception as exc:  # keyring backends raise their own error types
            raise DeviceKeyError("The OS keyring could not be read.") from exc
        if text is None:
            raise DeviceKeyError(
                f"The OS keyring holds no device key for this vault ({self.username})."
            )
        return decode_key(text, "the OS keyring")

    def save(self, key: bytes) -> None:
        backend = self._keyring()
        try:
            backend.set_password(KEYRING_SERVICE, self.username, encode_key(key))
        except Exception as exc:  # keyring backends raise their own error types
            raise DeviceKeyError("The OS keyring refused to store the device key.") from exc


def system_keyring() -> KeyringBackend | None:
    """The OS keyring backend, or None when keyring finds none that works."""
    try:
        import keyring  # noqa: PLC0415 - slow to import; only vaults that use it pay

        backend: Any = keyring.get_keyring()
    except Exception:  # noqa: BLE001 - any failure to find a backend means "none"
        return None
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if name in _NO_BACKEND:
        return None
    result: KeyringBackend = backend
    return result


def choose_store(
    home: Path,
    vault_id: str,
    *,
    preference: str | None = None,
    find_keyring: Callable[[], KeyringBackend | None] = system_keyring,
) -> KeyStore:
    """Pick the store for a new vault: ``OTPKEEP_KEYSTORE`` (auto, keyring, file) decides."""
    wanted = (preference or os.environ.get(KEYSTORE_ENV, "") or "auto").strip().lower()
    if wanted == FILE:
        return FileKeyStore(home / KEY_FILE_NAME)
    if wanted not in {"auto", KEYRING}:
        raise DeviceKeyError(f"{KEYSTORE_ENV} must be auto, keyring or file, not {wanted[:20]!r}.")
    backend = find_keyring()
    if backend is not None:
        return KeyringKeyStore(vault_id, backend)
    if wanted == KEYRING:
        raise DeviceKeyError(f"{KEYSTORE_ENV}=keyring, and no OS keyring is available.")
    return FileKeyStore(home / KEY_FILE_NAME)


def open_store(
    kind: str,
    home: Path,
    vault_id: str,
    *,
    find_keyring: Callable[[], KeyringBackend | None] = system_keyring,
) -> KeyStore:
    """The store an existing vault's header names."""
    if kind == FILE:
        return FileKeyStore(home / KEY_FILE_NAME)
    if kind == KEYRING:
        return KeyringKeyStore(vault_id, find_keyring=find_keyring)
    raise DeviceKeyError(f"The vault names an unknown key store {kind[:20]!r}.")
