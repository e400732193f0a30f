"""The vault file on disk: its layout, atomic writes and the lock beside it.

Layout (format 1)::

    otpkeep-vault\\n
    {"format": 1, "keystore": "file", "vault_id": "<hex>"}\\n
    <envelope sealed under the device key; associated data = the two lines above>

The header is plain so a run can tell which key store to open before decrypting;
it is authenticated as associated data, so changing it breaks the seal.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from typing import TYPE_CHECKING, Any, NamedTuple

from otpkeep.errors import VaultCorruptError, VaultError, VaultLockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MAGIC = b"otpkeep-vault\n"
FORMAT = 1
MAX_VAULT_BYTES = 64 * 1024 * 1024
MAX_HEADER_BYTES = 4096


class Header(NamedTuple):
    """The plain, authenticated first part of the vault file."""

    vault_id: str
    keystore: str
    format: int = FORMAT

    def encode(self) -> bytes:
        """The magic line and the header line: the associated data of the seal."""
        body = {"format": self.format, "keystore": self.keystore, "vault_id": self.vault_id}
        return MAGIC + json.dumps(body, sort_keys=True).encode("ascii") + b"\n"


def read_file(path: Path) -> tuple[Header, bytes, bytes] | None:
    """Header, associated data and sealed body of the vault; None when there is none."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_VAULT_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise VaultError(f"The vault {path} cannot be read ({exc.strerror}).") from exc
    return parse(path, raw)


def parse(path: Path, raw: bytes) -> tuple[Header, bytes, bytes]:
    """Split a vault file into header, associated data and sealed body."""
    if len(raw) > MAX_VAULT_BYTES:
        raise VaultCorruptError(f"The file {path} is too large to be an otpkeep vault.")
    if not raw.startswith(MAGIC):
        if MAGIC.startswith(raw):
            raise VaultCorruptError(f"The vault {path} is truncated; it was left untouched.")
        raise VaultCorruptError(f"The file {path} is not an otpkeep vault; it was left untouched.")
    end = raw.find(b"\n", len(MAGIC), len(MAGIC) + MAX_HEADER_BYTES)
    if end < 0:
        raise VaultCorruptError(f"The vault {path} is damaged or truncated; it was left untouched.")
    header = _header(path, raw[len(MAGIC) : end])
    return header, raw[: end + 1], raw[end + 1 :]


def _header(path: Path, line: bytes) -> Header:
    try:
        fields: Any = json.loads(line)
        header = Header(
            vault_id=str(fields["vault_id"]),
            keystore=str(fields["keystore"]),
            format=int(fields["format"]),
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise VaultCorruptError(
            f"The vault {path} has a damaged header; it was left untouched."
        ) from exc
    if header.format > FORMAT:
        raise VaultError(
            f"The vault {path} was written by a newer otpkeep (format {header.format}): "
            "upgrade otpkeep to open it."
        )
    if header.format < 1:
        raise VaultCorruptError(f"The vault {path} has a damaged header; it was left untouched.")
    return header


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, fsync, rename over it, fsync the folder."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temp.replace(path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
        raise VaultError(
            f"The vault {path} could not be saved ({exc.strerror}); nothing was changed."
        ) from exc


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive ``flock`` on the lock file; :class:`VaultLockedError` after timeout."""
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise VaultError(f"The vault lock {lock_path} cannot be opened ({exc.strerror}).") from exc
    try:
        deadline = time.monotonic() + timeout
        delay = 0.002
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise VaultLockedError(
                        "Another otpkeep is using the vault; try again when it has finished."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
