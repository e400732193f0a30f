"""The pydantic field types of the wire messages: bytes as base64url, Argon2id parameters.

Each validates a JSON value into the one Python type otpkeep uses for it, once, at the
boundary: :data:`B64Bytes` into ``bytes``, :data:`Kdf` and :data:`KdfCosts` into
:class:`otpkeep.crypto.kdf.KdfParams` (with the codec of :mod:`otpkeep.protocol.kdf`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema

from otpkeep.crypto.kdf import (
    ARGON2_VERSION,
    MAX_ITERATIONS,
    MAX_LANES,
    MAX_MEMORY_KIB,
    MAX_SALT_BYTES,
    KdfParams,
)
from otpkeep.protocol.encoding import BASE64URL_PATTERN, b64decode, b64encode
from otpkeep.protocol.kdf import ALGORITHM, kdf_from_wire, kdf_to_wire


def _validate(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return b64decode(value)
    raise ValueError("expected base64url text")


B64Bytes = Annotated[
    bytes,
    PlainValidator(_validate),
    PlainSerializer(b64encode, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "contentEncoding": "base64url",
            "pattern": BASE64URL_PATTERN,
            "description": "Bytes, base64url without padding (RFC 4648 section 5).",
        }
    ),
]
"""A ``bytes`` field that is base64url text on the wire."""


def _schema(*, salt: bool) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "algorithm": {"const": ALGORITHM},
        "memory_kib": {"type": "integer", "minimum": 8, "maximum": MAX_MEMORY_KIB},
        "iterations": {"type": "integer", "minimum": 1, "maximum": MAX_ITERATIONS},
        "lanes": {"type": "integer", "minimum": 1, "maximum": MAX_LANES},
        "version": {"const": ARGON2_VERSION},
        "salt": {"type": "string", "contentEncoding": "base64url", "pattern": "^[A-Za-z0-9_-]*$"},
    }
    return {
        "type": "object",
        "properties": properties,
        "required": ["salt"] if salt else [],
        "additionalProperties": False,
        "description": "Argon2id parameters (RFC 9106)"
        + ("" if salt else "; the salt is empty in the defaults a service offers")
        + f"; salts are at most {MAX_SALT_BYTES} bytes.",
    }


Kdf = Annotated[
    KdfParams,
    PlainValidator(kdf_from_wire),
    PlainSerializer(kdf_to_wire, return_type=dict),
    WithJsonSchema(_schema(salt=True)),
]
"""Argon2id parameters with their salt (a registration, a recovery challenge)."""


def _costs(raw: object) -> KdfParams:
    return kdf_from_wire(raw, salt=False)


KdfCosts = Annotated[
    KdfParams,
    PlainValidator(_costs),
    PlainSerializer(kdf_to_wire, return_type=dict),
    WithJsonSchema(_schema(salt=False)),
]
"""Argon2id costs without a salt: the defaults of ``GET /v1/config``."""
