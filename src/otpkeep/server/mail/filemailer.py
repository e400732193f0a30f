"""The default mailer: each message becomes an RFC 5322 ``.eml`` file in the mail folder.

Files are named ``<date>-<message-id hash>.eml`` after the message's own ``Date`` and
``Message-ID``, so delivering the same message again replaces its file rather than adding
a second one. They are written atomically (a temporary file, fsync, rename) with mode
0600, since a body may hold a code; the log says where, never what.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import TYPE_CHECKING

from otpkeep.errors import MailDeliveryError
from otpkeep.server.mail.message import id_hash, serialise

if TYPE_CHECKING:
    from email.message import EmailMessage

logger = logging.getLogger(__name__)


class FileMailer:
    """Writes each message as an ``.eml`` file into ``mail_dir``."""

    def __init__(self, mail_dir: Path) -> None:
        self.mail_dir = mail_dir

    def __repr__(self) -> str:
        return f"FileMailer({str(self.mail_dir)!r})"

    def send(self, message: EmailMessage) -> None:
        """Write ``message`` to its file, replacing an earlier delivery of it."""
        path = self.mail_dir / self.file_name(message)
        try:
            self.mail_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_atomically(path, serialise(message))
        except OSError as exc:
            raise MailDeliveryError(
                f"The mail folder {self.mail_dir} cannot be written to: check that it exists "
                "and that the service may write there."
            ) from exc
        logger.info("mail written to %s", path)

    @staticmethod
    def file_name(message: EmailMessage) -> str:
        """``<UTC date of the message>-<hash of its Message-ID>.eml``."""
        try:
            dated = parsedate_to_datetime(str(message["Date"]))
        except (TypeError, ValueError):
            dated = datetime.now(UTC)
        if dated.tzinfo is None:
            dated = dated.replace(tzinfo=UTC)
        stamp = dated.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return f"{stamp}-{id_hash(str(message['Message-ID']))}.eml"


def _write_atomically(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".eml.tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
