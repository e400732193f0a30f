"""The JSON messages of the HTTP API, ``/v1``. Data only.

The service validates requests with these models and answers with them; the
device parses answers with them. Bytes are base64url without padding
(:data:`B64Bytes`). Backup bodies are not JSON: ``PUT``/``GET /v1/backup`` carry
the sealed envelope as ``application/octet-stream`` and the version as an ETag.

Endpoints (auth: ``Authorization: Bearer <session token>``)::

    GET    /healthz                                  liveness
    GET    /v1/config                                ServiceConfig
    POST   /v1/verifications                         VerificationStart -> 202 VerificationStarted
                                                     (change_email: full session required)
    POST   /v1/verifications/{id}/confirm            VerificationConfirm -> SessionGranted
                                                     (change_email: -> EmailChanged)
    GET    /v/{token}                                landing page of the emailed link (HTML);
                                                     its button opens the app with
                                                     otpkeep://verify?id=<id>&code=<code>
    POST   /v1/passcode/evaluate       full          OprfRequest -> RegistrationChallenge
    PUT    /v1/passcode                full          PasscodeRegistration -> PasscodeRegistered
    POST   /v1/recovery/evaluate       recovery      OprfRequest -> RecoveryChallenge
    POST   /v1/recovery/proof          recovery      RecoveryProof -> RecoveryGranted
    PUT    /v1/backup                  full          octets; If-Match "N" or If-None-Match *
                                                     -> BackupStored (409 passcode_not_set
                                                     before the first passcode)
    GET    /v1/backup                  full          octets of the latest, ETag "N"
    GET    /v1/backup/versions         full          BackupVersionList
    GET    /v1/backup/versions/{n}     full          octets, ETag "N"
    DELETE /v1/backup                  full          204: backup, passcode and versions deleted
    GET    /v1/devices                 full          DeviceList
    DELETE /v1/devices/{id}            full          204
    GET    /v1/events                  full          EventList (security events, newest first)
    GET    /v1/account/export          full          AccountExport
    DELETE /v1/account                 full          204: everything about the account deleted
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from otpkeep.protocol.encoding import B64Bytes

API_VERSION = "v1"
CODE_LENGTH = 6
VERIFY_LINK = "otpkeep://verify"
"""The app's deep link; query ``id`` (the verification id) and ``code`` (the emailed code)."""

Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$",
    ),
]
DeviceName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]
VerificationCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class Message(BaseModel):
    """Every message: unknown fields refused, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- configuration -------------------------------------------------------------


class EcosystemMember(Message):
    """One service of the operator's ecosystem, matched on its names and domains.

    ``aliases`` are the other names its accounts are issued under; an empty list is
    left out of the JSON, so a configuration without aliases reads as before.
    """

    name: str
    aliases: list[str] = Field(default=[], exclude_if=lambda aliases: not aliases)
    domains: list[str] = []


class PasscodePolicy(Message):
    min_length: int = 4
    max_length: int = 32


class KdfParams(Message):
    """Argon2id parameters (RFC 9106), carried with the data they protect."""

    algorithm: Literal["argon2id"] = "argon2id"
    memory_kib: int = Field(65536, ge=8, le=4 * 1024 * 1024)
    iterations: int = Field(3, ge=1, le=64)
    lanes: int = Field(1, ge=1, le=64)
    version: int = 0x13
    salt: B64Bytes = b""


class VerificationPolicy(Message):
    code_length: int = CODE_LENGTH
    code_lifetime_seconds: int = 600
    max_attempts: int = 5
    max_sends_per_hour: int = 5


class Limits(Message):
    max_backup_bytes: int
    versions_kept: int
    recovery_tries: int


class ServiceConfig(Message):
    """``GET /v1/config``: what a device needs before it talks to the service."""

    api_version: str = API_VERSION
    ecosystem: list[EcosystemMember]
    passcode: PasscodePolicy
    verification: VerificationPolicy
    kdf: KdfParams
    limits: Limits
    oprf_suite: str = "ristretto255-SHA512"


# --- email verification --------------------------------------------------------


class Purpose(enum.StrEnum):
    """Why an address is being verified."""

    ENABLE = "enable"
    TRANSFER = "transfer"
    CHANGE_EMAIL = "change_email"


class VerificationStart(Message):
    email: Email
    purpose: Purpose
    device_name: DeviceName = ""


class VerificationStarted(Message):
    """Always the same shape, whether or not the address is known."""

    verification_id: uuid.UUID
    expires_in: int
    code_length: int = CODE_LENGTH


class VerificationConfirm(Message):
    code: VerificationCode


class SessionScope(enum.StrEnum):
    FULL = "full"
    RECOVERY = "recovery"


class SessionGranted(Message):
    """A device session: ``full`` after enable, ``recovery`` (only spends tries) for transfer."""

    session_token: str
    session_id: uuid.UUID
    scope: SessionScope
    account_id: uuid.UUID
    email: str
    has_passcode: bool
    backup_version: int | None


class EmailChanged(Message):
    email: str


# --- passcode registration (full session) --------------------------------------


class OprfRequest(Message):
    blinded_element: B64Bytes


class RegistrationChallenge(Message):
    """The OPRF evaluation under the account's next key version."""

    registration_id: uuid.UUID
    key_version: int
    evaluated_element: B64Bytes
    challenge: B64Bytes
    kdf: KdfParams
    has_passcode: bool


class PasscodeRegistration(Message):
    """Swap in a passcode. ``possession_key`` with the first one; ``possession_proof`` after."""

    registration_id: uuid.UUID
    key_version: int
    auth_public_key: B64Bytes
    wrapped_data_key: B64Bytes
    kdf: KdfParams
    possession_key: B64Bytes | None = None
    possession_proof: B64Bytes | None = None


class PasscodeRegistered(Message):
    key_version: int
    tries_left: int


# --- recovery (recovery session) -----------------------------------------------


class RecoveryChallenge(Message):
    """One try has been taken before this answer was sent."""

    attempt_id: uuid.UUID
    key_version: int
    evaluated_element: B64Bytes
    challenge: B64Bytes
    kdf: KdfParams
    tries_left: int


class RecoveryProof(Message):
    attempt_id: uuid.UUID
    signature: B64Bytes


class RecoveryGranted(Message):
    """The passcode was right: the wrapped data key, and the session is now full."""

    key_version: int
    wrapped_data_key: B64Bytes
    backup_version: int | None
    scope: SessionScope = SessionScope.FULL


# --- backups ---------------------------------------------------------------------


class BackupStored(Message):
    version: int
    size: int
    created_at: dt.datetime


class BackupVersion(Message):
    version: int
    size: int
    created_at: dt.datetime


class BackupVersionList(Message):
    versions: list[BackupVersion]


# --- devices, events, privacy ----------------------------------------------------


class DeviceInfo(Message):
    id: uuid.UUID
    name: str
    scope: SessionScope
    created_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


class DeviceList(Message):
    devices: list[DeviceInfo]


class EventKind(enum.StrEnum):
    """Security events the owner is told about."""

    BACKUP_ENABLED = "backup_enabled"
    TRANSFER = "transfer"
    PASSCODE_FAILED = "passcode_failed"
    BACKUP_DESTROYED = "backup_destroyed"
    EMAIL_CHANGED = "email_changed"
    PASSCODE_CHANGED = "passcode_changed"
    DEVICE_ADDED = "device_added"
    DEVICE_REVOKED = "device_revoked"
    BACKUP_DELETED = "backup_deleted"


class Event(Message):
    id: uuid.UUID
    kind: EventKind
    created_at: dt.datetime
    details: dict[str, Any] = {}


class EventList(Message):
    events: list[Event]


class AccountExport(Message):
    """Everything the service holds about an account (ciphertext stays ciphertext)."""

    account_id: uuid.UUID
    email: str
    created_at: dt.datetime
    passcode: dict[str, Any] | None
    backups: list[dict[str, Any]]
    devices: list[DeviceInfo]
    events: list[Event]


# --- errors ----------------------------------------------------------------------


class ErrorDetail(Message):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(Message):
    error: ErrorDetail
