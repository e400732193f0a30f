"""The device's backup settings: the ``backup`` section of the vault's typed state.

The change hook that marks an upload pending is in :mod:`otpkeep.device.backup.pending`.
Reading tolerates what another otpkeep wrote: unknown keys are ignored, a value of the
wrong type takes its default, an unreadable nested part (a pending code, the check-in)
reads as absent.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from typing import TYPE_CHECKING, Any, ClassVar

from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.kdf import kdf_from_wire, kdf_to_wire
from otpkeep.protocol.kinds import Purpose, SessionScope

if TYPE_CHECKING:
    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.vault import VaultData


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes | None:
    if not isinstance(text, str):
        return None
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error:
        return None


def _text(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name, "")
    return value if isinstance(value, str) else ""


def _number(raw: dict[str, Any], name: str) -> float | None:
    value = raw.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _whole(raw: dict[str, Any], name: str) -> int | None:
    value = raw.get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclasses.dataclass
class PendingVerification:
    """A code that was sent and not yet entered: the flow resumes at the code prompt."""

    verification_id: str
    email: str
    purpose: Purpose
    expires_at: float
    server_url: str = ""

    def valid(self, now: float) -> bool:
        """True while the code can still be entered."""
        return now < self.expires_at

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "verification_id": self.verification_id,
            "email": self.email,
            "purpose": self.purpose.value,
            "expires_at": self.expires_at,
            "server_url": self.server_url,
        }

    @classmethod
    def from_json(cls, raw: object) -> PendingVerification | None:
        """The stored form back; None when it is unusable."""
        if not isinstance(raw, dict):
            return None
        expires_at = _number(raw, "expires_at")
        try:
            purpose = Purpose(str(raw.get("purpose")))
        except ValueError:
            return None
        if not raw.get("verification_id") or expires_at is None:
            return None
        return cls(
            verification_id=_text(raw, "verification_id"),
            email=_text(raw, "email"),
            purpose=purpose,
            expires_at=expires_at,
            server_url=_text(raw, "server_url"),
        )


@dataclasses.dataclass
class CheckIn:
    """The passcode check-in: a slow hash kept only on this device, and its schedule."""

    digest: bytes = dataclasses.field(repr=False)
    kdf: KdfParams = dataclasses.field(repr=False)
    next_due: float
    step: int = 0

    def to_json(self) -> dict[str, Any]:
        """The stored form (the digest in base64, the parameters as on the wire)."""
        return {
            "digest": _b64(self.digest),
            "kdf": kdf_to_wire(self.kdf),
            "next_due": self.next_due,
            "step": self.step,
        }

    @classmethod
    def from_json(cls, raw: object) -> CheckIn | None:
        """The stored form back; None when it is unusable (the check-in is then skipped).

        Vaults written before the parameters were one object kept them as flat fields.
        """
        if not isinstance(raw, dict):
            return None
        digest = _unb64(raw.get("digest"))
        stored = raw.get("kdf")
        if not isinstance(stored, dict):
            salt = _unb64(raw.get("salt"))
            stored = {key: raw[key] for key in ("memory_kib", "iterations", "lanes") if key in raw}
            stored["salt"] = b64encode(salt or b"")
        try:
            kdf = kdf_from_wire(stored)
            return cls(
                digest=digest or b"",
                kdf=kdf,
                next_due=float(raw["next_due"]),
                step=int(raw.get("step", 0)),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclasses.dataclass
class BackupState:
    """Everything the device knows about its backup. Secrets never appear in ``repr``."""

    NAME: ClassVar[str] = "backup"

    server_url: str = ""
    email: str = ""
    account_id: str = ""
    session_id: str = ""
    session_token: str = dataclasses.field(default="", repr=False)
    scope: SessionScope | None = None
    has_passcode: bool = False
    enabled: bool = False
    data_key: bytes | None = dataclasses.field(default=None, repr=False)
    key_version: int = 0
    last_version: int | None = None
    last_success: float | None = None
    pending: bool = False
    last_failure: float | None = None
    last_error: str = ""
    last_error_kind: str = ""
    """What the last failure was: ``unavailable`` (the service could not be reached or
    failed), the service's error code, or ``""``."""
    verification: PendingVerification | None = None
    checkin: CheckIn | None = None
    signed_out: str | None = None
    """Why the service ended this device's session (an ``EndReason``, or ``unauthorized``),
    until the device signs in again; None while it is signed in or never was."""
    damaged: int | None = None
    """The newest backup version, when it cannot be opened (until an upload replaces it)."""
    uploaded: str = ""
    """The SHA-256 of the plaintext of ``last_version`` as this device uploaded it, so that
    the same accounts are not uploaded again as a new version."""

    @property
    def verified(self) -> bool:
        """A full session: this device holds the backup and may change it."""
        return bool(self.session_token) and self.scope is SessionScope.FULL

    def forget_session(self) -> None:
        """Drop the session and everything that needs it (the backup was turned off)."""
        keep_server = self.server_url
        fresh = BackupState(server_url=keep_server)
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(fresh, field.name))

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in the vault."""
        return {
            "server_url": self.server_url,
            "email": self.email,
            "account_id": self.account_id,
            "session_id": self.session_id,
            "session_token": self.session_token,
            "scope": None if self.scope is None else self.scope.value,
            "has_passcode": self.has_passcode,
            "enabled": self.enabled,
            "data_key": _b64(self.data_key),
            "key_version": self.key_version,
            "last_version": self.last_version,
            "last_success": self.last_success,
            "pending": self.pending,
            "last_failure": self.last_failure,
            "last_error": self.last_error,
            "last_error_kind": self.last_error_kind,
            "verification": None if self.verification is None else self.verification.to_json(),
            "checkin": None if self.checkin is None else self.checkin.to_json(),
            "signed_out": self.signed_out,
            "damaged": self.damaged,
            "uploaded": self.uploaded,
        }

    @classmethod
    def from_json(cls, raw: object) -> BackupState:
        """Read the stored form (see the module docstring); nothing stored: the defaults."""
        if not isinstance(raw, dict):
            return cls()
        try:
            scope = SessionScope(raw["scope"]) if raw.get("scope") else None
        except ValueError:
            scope = None
        return cls(
            server_url=_text(raw, "server_url"),
            email=_text(raw, "email"),
            account_id=_text(raw, "account_id"),
            session_id=_text(raw, "session_id"),
            session_token=_text(raw, "session_token"),
            scope=scope,
            has_passcode=raw.get("has_passcode") is True,
            enabled=raw.get("enabled") is True,
            data_key=_unb64(raw.get("data_key")),
            key_version=_whole(raw, "key_version") or 0,
            last_version=_whole(raw, "last_version"),
            last_success=_number(raw, "last_success"),
            pending=raw.get("pending") is True,
            last_failure=_number(raw, "last_failure"),
            last_error=_text(raw, "last_error"),
            last_error_kind=_text(raw, "last_error_kind"),
            verification=PendingVerification.from_json(raw.get("verification")),
            checkin=CheckIn.from_json(raw.get("checkin")),
            signed_out=_text(raw, "signed_out") or None,
            damaged=_whole(raw, "damaged"),
            uploaded=_text(raw, "uploaded"),
        )


def load_state(data: VaultData) -> BackupState:
    """The backup section of the vault (in a transaction, the object that will be saved)."""
    return data.state.get(BackupState)


def save_state(data: VaultData, state: BackupState) -> None:
    """Put ``state`` in place of the backup section (inside a vault transaction)."""
    data.state.put(state)
