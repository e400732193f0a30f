"""How bytes travel in JSON: base64url without padding."""

from __future__ import annotations

import base64
import binascii

BASE64URL_PATTERN = "^[A-Za-z0-9_-]*={0,2}$"
"""What base64url text looks like (padding is accepted, never sent)."""
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64encode(data: bytes) -> str:
    """Bytes to base64url text without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    """Canonical base64url text, padded or not, to bytes; anything else raises ``ValueError``."""
    if not isinstance(text, str) or len(text) > 4 * 1024 * 1024:
        raise ValueError("expected base64url text")
    # Only the url-safe alphabet (and padding): a decoder that drops other characters
    # would give every value many spellings on the wire.
    if not set(text.rstrip("=")) <= _ALPHABET:
        raise ValueError("expected base64url text")
    padded = text + "=" * (-len(text) % 4)
    try:
        data = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("expected base64url text") from None
    # The last character may carry bits no byte holds; they must be zero, else one
    # value (a link token, a key) would have several spellings.
    if b64encode(data) != text.rstrip("="):
        raise ValueError("expected base64url text")
    return data
