"""The vault file on disk: reading it whole, atomic writes and the lock beside it.

The layout itself (magic, header, seal) is :mod:`~otpkeep.device.vault.layout`'s; this
module reads and writes it, and says in one sentence what is wrong with a file that
does not follow it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from typing import TYPE_CHECKING, NamedTuple

from otpkeep.device.vault import layout
from otpkeep.errors import VaultCorruptError, VaultError, VaultLockedError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

MAGIC = layout.MAGIC
FORMAT = layout.FORMAT
MAX_VAULT_BYTES = layout.MAX_VAULT_BYTES
MAX_HEADER_BYTES = layout.MAX_HEADER_BYTES


class Header(NamedTuple):
    """The plain, authenticated first part of the vault file."""

    vault_id: str
    keystore: str
    format: int = FORMAT

    def encode(self) -> bytes:
        """The magic line and the header line: the associated data of the seal."""
        return layout.encode_header(self.vault_id, self.keystore, self.format)


def stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes whenever the file is replaced (it always is, by a rename): its inode,
    its modification time in nanoseconds and its size; None when it is not there."""
    try:
        info = os.stat(path)  # noqa: PTH116 - one call, without pathlib's import cost
    except OSError:
        return None
    return (info.st_ino, info.st_mtime_ns, info.st_size)


def read_file(path: Path) -> tuple[Header, bytes, bytes] | None:
    """Header, associated data and sealed body of the vault; None when there is none."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_VAULT_BYTES + 1)
    except FileNotFoundError:
        return None
    except NotADirectoryError as exc:
        raise VaultError(
            f"The device folder {path.parent} is not a folder (or is inside a file)."
        ) from exc
    except OSError as exc:
        raise VaultError(f"The vault {path} cannot be read ({exc.strerror}).") from exc
    return parse(path, raw)


def parse(path: Path, raw: bytes) -> tuple[Header, bytes, bytes]:
    """Split a vault file into header, associated data and sealed body."""
    found = layout.split(raw)
    if found is None:
        raise VaultCorruptError(_not_laid_out(path, raw))
    line, associated, sealed = found
    return _header(path, line), associated, sealed


def _not_laid_out(path: Path, raw: bytes) -> str:
    """What is wrong with a file :func:`layout.split` refused, in one sentence."""
    if len(raw) > MAX_VAULT_BYTES:
        return f"The file {path} is too large to be an otpkeep vault."
    if raw.startswith(MAGIC):
        return f"The vault {path} is damaged or truncated; it was left untouched."
    if MAGIC.startswith(raw):
        return f"The vault {path} is truncated; it was left untouched."
    return f"The file {path} is not an otpkeep vault; it was left untouched."


def _header(path: Path, line: bytes) -> Header:
    try:
        vault_id, keystore, format_ = layout.header_fields(line)
    except (ValueError, TypeError, KeyError) as exc:
        raise VaultCorruptError(
            f"The vault {path} has a damaged header; it was left untouched."
        ) from exc
    header = Header(vault_id=vault_id, keystore=keystore, format=format_)
    if header.format > FORMAT:
        raise VaultError(
            f"The vault {path} was written by a newer otpkeep (format {header.format}): "
            "upgrade otpkeep to open it."
        )
    if header.format < 1:
        raise VaultCorruptError(f"The vault {path} has a damaged header; it was left untouched.")
    return header


def remove_leftovers(folder: Path, names: tuple[str, ...]) -> None:
    """Remove the temporary files a crash left behind while writing one of ``names``.

    Call it holding the vault's lock: every write makes its temporary file under it, so
    any such file found then belongs to a process that died (a copy of the device key
    among them, which must not linger).
    """
    prefixes = tuple(f".{name}." for name in names)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith(prefixes) and entry.name.endswith(".tmp"):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)  # noqa: PTH108 - a DirEntry's path; pathlib stays off the read path


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
