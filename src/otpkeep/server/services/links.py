"""The token of an emailed link: the verification id and code, sealed with a seed key.

The landing page opens the token to show the code, so the code is never stored in the
clear; a token that was altered, or sealed under another seed, opens to nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from urllib.parse import urlencode

from otpkeep.crypto import envelope
from otpkeep.errors import DecryptionError
from otpkeep.protocol.encoding import b64decode, b64encode

CONTEXT = b"otpkeep/v1/verification-link"
MAX_TOKEN_LENGTH = 512


@dataclass(frozen=True)
class LinkContents:
    """What a link token holds."""

    verification_id: uuid.UUID
    code: str = field(repr=False)

    @property
    def deep_link(self) -> str:
        """The ``otpkeep://verify?...`` link that opens the app and verifies."""
        query = urlencode({"id": str(self.verification_id), "code": self.code})
        return f"otpkeep://verify?{query}"


def seal_link(key: bytes, verification_id: uuid.UUID, code: str) -> str:
    """The token for the landing page of ``verification_id``."""
    sealed = envelope.seal(
        key, verification_id.bytes + code.encode("ascii"), associated_data=CONTEXT
    )
    return b64encode(sealed)


def open_link(key: bytes, token: str) -> LinkContents | None:
    """What ``token`` holds; None for anything that is not a token this service made."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        plain = envelope.open_sealed(key, b64decode(token), associated_data=CONTEXT)
    except (ValueError, DecryptionError):
        return None
    code = plain[16:].decode("ascii", "replace")
    if len(plain) != 22 or not code.isdigit():
        return None
    return LinkContents(verification_id=uuid.UUID(bytes=plain[:16]), code=code)


UNDO_CONTEXT = b"otpkeep/v1/email-undo"


def seal_undo(key: bytes, undo_id: uuid.UUID) -> str:
    """The token of the link that lets the old address undo a change of address."""
    return b64encode(envelope.seal(key, undo_id.bytes, associated_data=UNDO_CONTEXT))


def open_undo(key: bytes, token: str) -> uuid.UUID | None:
    """The change an undo token names; None for anything this service did not make."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    try:
        plain = envelope.open_sealed(key, b64decode(token), associated_data=UNDO_CONTEXT)
    except (ValueError, DecryptionError):
        return None
    return uuid.UUID(bytes=plain) if len(plain) == 16 else None
