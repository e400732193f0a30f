"""How Argon2id parameters travel: one JSON shape, read once into crypto's ``KdfParams``.

There is one parameter type in otpkeep, :class:`otpkeep.crypto.kdf.KdfParams`, with its
defaults and bounds. On the wire (and in the service's database, and the device's vault)
it is the object ``{"algorithm": "argon2id", "memory_kib", "iterations", "lanes",
"version", "salt"}`` with the salt in base64url. This module is the codec, without
pydantic; the message field types that validate with it at the boundary (``Kdf``, a salt
required, and ``KdfCosts``, the defaults a service offers without one) are in
:mod:`otpkeep.protocol.fields`, so nothing past the boundary checks the bounds again.
"""

from __future__ import annotations

from typing import Any

from otpkeep.crypto.kdf import KdfParams
from otpkeep.errors import InvalidParameterError
from otpkeep.protocol.encoding import b64decode, b64encode

ALGORITHM = "argon2id"
_FIELDS = frozenset({"algorithm", "memory_kib", "iterations", "lanes", "version", "salt"})


def kdf_to_wire(params: KdfParams) -> dict[str, Any]:
    """The JSON object of ``params``."""
    return {
        "algorithm": ALGORITHM,
        "memory_kib": params.memory_kib,
        "iterations": params.iterations,
        "lanes": params.lanes,
        "version": params.version,
        "salt": b64encode(params.salt),
    }


def _integer(raw: dict[str, Any], name: str, default: int) -> int:
    value = raw.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"kdf.{name} must be an integer")  # noqa: TRY004 - pydantic wants it
    return value


def kdf_from_wire(raw: object, *, salt: bool = True) -> KdfParams:
    """The ``KdfParams`` of a JSON object; ``ValueError`` names what is wrong."""
    if isinstance(raw, KdfParams):
        params = raw
    else:
        if not isinstance(raw, dict):
            raise ValueError("kdf must be an object")  # noqa: TRY004 - pydantic wants ValueError
        unknown = set(raw) - _FIELDS
        if unknown:
            raise ValueError(f"kdf has unknown fields: {', '.join(sorted(unknown))}")
        if raw.get("algorithm", ALGORITHM) != ALGORITHM:
            raise ValueError("kdf.algorithm must be argon2id")
        defaults = KdfParams()
        salt_text = raw.get("salt", "")
        if not isinstance(salt_text, str):
            raise ValueError("kdf.salt must be base64url text")  # noqa: TRY004 - as above
        params = KdfParams(
            memory_kib=_integer(raw, "memory_kib", defaults.memory_kib),
            iterations=_integer(raw, "iterations", defaults.iterations),
            lanes=_integer(raw, "lanes", defaults.lanes),
            version=_integer(raw, "version", defaults.version),
            salt=b64decode(salt_text),
        )
    try:
        params.validate(salt=salt)
    except InvalidParameterError as exc:
        raise ValueError(str(exc)) from None
    return params
