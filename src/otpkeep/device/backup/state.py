"""The device's backup settings, kept in the sealed vault as ``state["backup"]``.

The change hook that marks an upload pending is in :mod:`otpkeep.device.backup.pending`.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
from typing import TYPE_CHECKING, Any

from otpkeep.device.backup.pending import SECTION
from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.kdf import kdf_from_wire, kdf_to_wire

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


@dataclasses.dataclass
class PendingVerification:
    """A code that was sent and not yet entered: the flow resumes at the code prompt."""

    verification_id: str
    email: str
    purpose: str
    expires_at: float
    server_url: str = ""
    new_email: str = ""

    def valid(self, now: float) -> bool:
        """True while the code can still be entered."""
        return now < self.expires_at


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

    server_url: str = ""
    email: str = ""
    account_id: str = ""
    session_id: str = ""
    session_token: str = dataclasses.field(default="", repr=False)
    scope: str = ""
    has_passcode: bool = False
    enabled: bool = False
    data_key: bytes | None = dataclasses.field(default=None, repr=False)
    key_version: int = 0
    last_version: int | None = None
    last_success: float | None = None
    pending: bool = False
    last_failure: float | None = None
    last_error: str = ""
    verification: PendingVerification | None = None
    checkin: CheckIn | None = None

    @property
    def verified(self) -> bool:
        """A full session: this device holds the backup and may change it."""
        return bool(self.session_token) and self.scope == "full"

    def forget_session(self) -> None:
        """Drop the session and everything that needs it (the backup was turned off)."""
        keep_server = self.server_url
        fresh = BackupState(server_url=keep_server)
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(fresh, field.name))

    def to_json(self) -> dict[str, Any]:
        """The JSON form stored in the vault."""
        raw = {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name not in {"verification", "checkin"}
        }
        raw["data_key"] = _b64(self.data_key)
        raw["verification"] = (
            None if self.verification is None else dataclasses.asdict(self.verification)
        )
        raw["checkin"] = None if self.checkin is None else self.checkin.to_json()
        return raw

    @classmethod
    def from_json(cls, raw: object) -> BackupState:
        """Read the stored form; unknown keys are ignored, missing ones take defaults."""
        if not isinstance(raw, dict):
            return cls()
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in raw.items() if k in names}
        values["data_key"] = _unb64(values.get("data_key"))
        values["verification"] = _nested(PendingVerification, values.get("verification"))
        values["checkin"] = CheckIn.from_json(values.get("checkin"))
        return cls(**values)


def _nested(kind: Any, raw: object) -> Any:
    """A nested section read like the top level: unknown keys ignored; unreadable: None."""
    if not isinstance(raw, dict):
        return None
    names = {f.name for f in dataclasses.fields(kind)}
    try:
        return kind(**{k: v for k, v in raw.items() if k in names})
    except TypeError:  # a required field is missing: the section is unusable
        return None


def load_state(data: VaultData) -> BackupState:
    """The backup section of the vault (defaults when there is none)."""
    return BackupState.from_json(data.state.get(SECTION))


def save_state(data: VaultData, state: BackupState) -> None:
    """Write the backup section back (inside a vault transaction)."""
    data.state[SECTION] = state.to_json()
