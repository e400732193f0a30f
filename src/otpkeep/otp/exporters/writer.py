"""The entry point of the exporters: one format name, one or more files."""

from __future__ import annotations

import dataclasses
import secrets
import time
from typing import TYPE_CHECKING

from otpkeep.crypto.passphrase import seal_with_passphrase
from otpkeep.errors import InvalidInputError
from otpkeep.otp.exporters import aegis, twofas
from otpkeep.otp.importers.otpkeepfile import encode_accounts
from otpkeep.otp.migration import encode_migration_uris, unsupported_reason
from otpkeep.otp.qr import qr_png
from otpkeep.otp.uri import format_uri

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.otp.account import Account

FORMATS = ("otpauth", "aegis", "aegis-encrypted", "2fas", "google-migration", "qr", "otpkeep")
ENCRYPTED = frozenset({"aegis-encrypted", "otpkeep"})
JSON = "application/json"
PNG = "image/png"


@dataclasses.dataclass(frozen=True)
class ExportFile:
    """One file of an export: append ``name_suffix`` to the base name the person chose."""

    name_suffix: str
    data: bytes = dataclasses.field(repr=False)
    media_type: str


def _whole_text(text: str) -> str:
    """``text`` with lone surrogates (bytes that were not UTF-8) as U+FFFD, so it encodes."""
    if not any(0xD800 <= ord(ch) <= 0xDFFF for ch in text):
        return text
    return "".join("\ufffd" if 0xD800 <= ord(ch) <= 0xDFFF else ch for ch in text)


def exportable(account: Account) -> Account:
    """``account`` with text every format can write: stored text that is not valid
    Unicode (from before otpkeep refused it) is written with U+FFFD in its place."""
    issuer, name = _whole_text(account.issuer), _whole_text(account.name)
    if (issuer, name) == (account.issuer, account.name):
        return account
    return account.replace(issuer=issuer, name=name)


def unsupported(accounts: Sequence[Account], format: str) -> list[tuple[Account, str]]:  # noqa: A002
    """The accounts ``format`` cannot hold exactly, each with what it lacks."""
    if format != "google-migration":
        return []
    found = []
    for account in accounts:
        reason = unsupported_reason(account)
        if reason is not None:
            found.append((account, reason))
    return found


def formats() -> list[str]:
    """The names ``export(format=...)`` accepts."""
    return list(FORMATS)


def _numbered(images: list[bytes]) -> list[ExportFile]:
    if len(images) == 1:
        return [ExportFile(".png", images[0], PNG)]
    return [ExportFile(f"-{i}.png", image, PNG) for i, image in enumerate(images, start=1)]


def export(
    accounts: Sequence[Account],
    format: str,  # noqa: A002 - the public keyword the CLI passes through
    *,
    password: str | None = None,
    batch_id: int | None = None,
    kdf: KdfParams | None = None,
) -> list[ExportFile]:
    """Write ``accounts`` in ``format``; the encrypted formats need ``password``.

    ``google-migration`` gives one PNG per batch of ten accounts (``batch_id`` ties
    the batches together; random when not given); ``qr`` one PNG per account.
    ``kdf`` overrides the Argon2id parameters of the ``otpkeep`` file.
    """
    if format not in FORMATS:
        raise InvalidInputError(
            f"Unknown export format {format[:30]!r}: use one of {', '.join(FORMATS)}."
        )
    if format in ENCRYPTED and not password:
        raise InvalidInputError(f"The {format} export is encrypted: give it a password.")
    accounts = [exportable(account) for account in accounts]
    text = "".join(format_uri(account) + "\n" for account in accounts).encode("utf-8")
    writers: dict[str, Callable[[], list[ExportFile]]] = {
        "otpauth": lambda: [ExportFile(".txt", text, "text/plain")],
        "aegis": lambda: [ExportFile(".json", aegis.plain(accounts), JSON)],
        "aegis-encrypted": lambda: [
            ExportFile(".json", aegis.encrypted(accounts, password or ""), JSON)
        ],
        "2fas": lambda: [
            ExportFile(".2fas", twofas.backup(accounts, now_ms=int(time.time() * 1000)), JSON)
        ],
        "google-migration": lambda: _numbered(
            [qr_png(uri) for uri in encode_migration_uris(accounts, batch_id=_batch(batch_id))]
        ),
        "qr": lambda: _numbered([qr_png(format_uri(account)) for account in accounts]),
        "otpkeep": lambda: [
            ExportFile(
                ".otpkeep",
                seal_with_passphrase(password or "", encode_accounts(accounts), kdf),
                "application/octet-stream",
            )
        ],
    }
    return writers[format]()


def _batch(batch_id: int | None) -> int:
    return batch_id if batch_id is not None else secrets.randbelow(2**31)
