"""Authenticator Plus exports: a password-protected ZIP (ZipCrypto) holding ``Accounts.txt``."""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import TYPE_CHECKING

from otpkeep.errors import ImportFormatError, WrongPasswordError
from otpkeep.otp.importers.source import ZIP_MAGIC, Password, Source
from otpkeep.otp.importers.spec import FormatSpec
from otpkeep.otp.importers.uritext import read_lines

if TYPE_CHECKING:
    from otpkeep.otp.importers.report import ImportEntry

MEMBER = "Accounts.txt"
MAX_MEMBER_BYTES = 4 * 1024 * 1024
ENCRYPTED_FLAG = 0x1


def _member(source: Source) -> zipfile.ZipInfo | None:
    if not source.has_magic(ZIP_MAGIC):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(source.data)) as archive:
            names = {info.filename.rsplit("/", 1)[-1]: info for info in archive.infolist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None
    return names.get(MEMBER)


def _detect(source: Source) -> bool:
    return _member(source) is not None


def _read(source: Source, password: Password) -> list[ImportEntry]:
    info = _member(source)
    if info is None:
        raise ImportFormatError("The ZIP file holds no Accounts.txt.")
    if info.file_size > MAX_MEMBER_BYTES:
        raise ImportFormatError("The Accounts.txt in the ZIP file is too large.")
    secret = password.encoded() if info.flag_bits & ENCRYPTED_FLAG else None
    try:
        with (
            zipfile.ZipFile(io.BytesIO(source.data)) as archive,
            archive.open(info, pwd=secret) as member,
        ):
            data = member.read(MAX_MEMBER_BYTES + 1)
    except RuntimeError:  # zipfile's "Bad password for file"
        raise WrongPasswordError(
            "The password does not open this Authenticator Plus export."
        ) from None
    except (
        zipfile.BadZipFile,
        zlib.error,
        ValueError,
        OSError,
        EOFError,
        NotImplementedError,
    ) as exc:
        if secret is not None and isinstance(exc, (zipfile.BadZipFile, zlib.error)):
            raise WrongPasswordError(
                "The password does not open this Authenticator Plus export."
            ) from None
        raise ImportFormatError("The Authenticator Plus export is damaged.") from None
    if len(data) > MAX_MEMBER_BYTES:
        raise ImportFormatError("The Accounts.txt in the ZIP file is too large.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ImportFormatError("The Accounts.txt in the ZIP file is not text.") from None
    return read_lines(text)


FORMAT = FormatSpec("authenticator-plus", _detect, _read, (".zip",))
