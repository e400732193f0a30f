"""The accounts of the vault read at interpreter speed, for ``otpkeep code`` and ``list``.

:func:`accounts` opens the vault with the store's own definitions
(:mod:`~otpkeep.device.vault.layout`) and nothing of the store besides: no lock, no
``VaultData``, no ``Account``, no typed state, no pathlib. The live accounts stay JSON
until a query picks them, and only those become a :class:`QuickAccount`.

It answers only what it is sure of and returns None for the rest, before anything has
been shown, so that the caller leaves the run to the full command (whose errors say
what is wrong): a vault whose key is in the OS keyring, of another format or schema,
damaged, unreadable or without its key file, or holding fields it does not expect. The
vault is sealed, so what it holds is what otpkeep wrote (the store trusts it the same
way until an account is asked for, see :meth:`~otpkeep.device.vault.data.StoredAccount.lazy`).
"""

from __future__ import annotations

import os

from otpkeep.device.vault import layout
from otpkeep.otp import base32

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

TYPES = frozenset({"totp", "hotp", "steam"})
"""The account types whose codes the quick path shows (``OtpType``'s values)."""
ALGORITHMS = frozenset({"SHA1", "SHA256", "SHA512"})
"""The hashes it knows (``Algorithm``'s values)."""


class QuickAccount:
    """One live account as ``otpkeep code`` shows it: ``Account``'s fields, unchecked.

    ``type`` and ``algorithm`` are the stored text (``totp``, ``SHA1``), which is what
    ``Account``'s string enums compare equal to.
    """

    __slots__ = ("algorithm", "counter", "digits", "issuer", "name", "period", "secret", "type")

    def __init__(  # noqa: PLR0913 - the eight fields of an account
        self,
        issuer: str,
        name: str,
        secret: bytes,
        *,
        type: str,  # noqa: A002 - the field's name in every format
        algorithm: str,
        digits: int,
        period: int,
        counter: int,
    ) -> None:
        self.issuer = issuer
        self.name = name
        self.secret = secret
        self.type = type
        self.algorithm = algorithm
        self.digits = digits
        self.period = period
        self.counter = counter

    def __repr__(self) -> str:
        return f"QuickAccount(issuer={self.issuer!r}, name={self.name!r}, type={self.type!r})"


class _UnsureError(Exception):
    """What the quick reader does not answer: the full command must."""


def accounts(home: str, query: str | None = None) -> list[QuickAccount] | None:
    """The live accounts ``query`` matches, in vault order (all without one).

    A case-insensitive substring of the issuer or the name matches, as
    :func:`~otpkeep.device.vault.lookup.find` has it. An empty list when there is no
    vault yet; None when the full command must answer (see the module docstring).
    """
    try:
        payload = _payload(home)
        return [] if payload is None else _matching(_live(payload), query)
    except _UnsureError:
        return None


def _payload(home: str) -> dict[str, Any] | None:
    """The vault's payload, opened; None when there is no vault yet."""
    try:
        with open(os.path.join(home, layout.VAULT_FILE_NAME), "rb") as handle:  # noqa: PTH118, PTH123 - no pathlib here
            raw = handle.read(layout.MAX_VAULT_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _UnsureError from exc
    found = layout.split(raw)
    if found is None:
        raise _UnsureError
    line, associated, sealed = found
    try:
        _, keystore, format_ = layout.header_fields(line)
    except (ValueError, TypeError, KeyError) as exc:
        raise _UnsureError from exc
    if keystore != layout.FILE or format_ != layout.FORMAT:
        raise _UnsureError
    try:
        payload = layout.unseal(_file_key(home), associated, sealed)
    except Exception as exc:  # any failure to open is the store's to explain
        raise _UnsureError from exc
    if not isinstance(payload, dict) or payload.get("schema") != layout.SCHEMA:
        raise _UnsureError
    return payload


def _file_key(home: str) -> bytes:
    """The device key in the key file beside the vault."""
    try:
        with open(os.path.join(home, layout.KEY_FILE_NAME), "rb") as handle:  # noqa: PTH118, PTH123 - no pathlib here
            key = layout.parse_key(handle.read().decode("ascii"))  # no codec to look up
    except (OSError, UnicodeDecodeError) as exc:
        raise _UnsureError from exc
    if key is None:
        raise _UnsureError
    return key


def _live(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The stored fields of the live accounts, one per id as the store keeps them."""
    items = payload.get("accounts")
    if not isinstance(items, list):
        raise _UnsureError
    by_id: dict[object, dict[str, Any]] = {}
    for item in items:
        if not (isinstance(item, dict) and {"id", "deleted", "account"} <= item.keys()):
            raise _UnsureError
        by_id[item["id"]] = item
    live = []
    for item in by_id.values():
        fields = item["account"]
        if item["deleted"] or fields is None:
            continue
        if not isinstance(fields, dict):
            raise _UnsureError
        live.append(fields)
    return live


def _matching(stored: list[dict[str, Any]], query: str | None) -> list[QuickAccount]:
    needle = query.casefold() if query else None
    shown = []
    for fields in stored:
        issuer, name = fields.get("issuer"), fields.get("name")
        if not (isinstance(issuer, str) and isinstance(name, str)):
            raise _UnsureError
        if needle is None or needle in issuer.casefold() or needle in name.casefold():
            shown.append(_account(issuer, name, fields))
    return shown


def _account(issuer: str, name: str, fields: dict[str, Any]) -> QuickAccount:
    """One account from its stored fields (``data.account_to_json``'s)."""
    secret, kind, algorithm = fields.get("secret"), fields.get("type"), fields.get("algorithm")
    digits, period, counter = fields.get("digits"), fields.get("period"), fields.get("counter")
    if not (isinstance(secret, str) and kind in TYPES and algorithm in ALGORITHMS):
        raise _UnsureError
    if not (type(digits) is int and type(period) is int and type(counter) is int):
        raise _UnsureError  # JSON's true and false are not numbers here
    key = base32.decode(secret)  # the vault writes secrets as encode_base32 does
    if not key:
        raise _UnsureError
    return QuickAccount(
        issuer,
        name,
        key,
        type=kind,
        algorithm=algorithm,
        digits=digits,
        period=period,
        counter=counter,
    )
