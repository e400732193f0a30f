"""The JSON messages of the HTTP API, ``/v1``. Data only.

The service validates requests with these models and answers with them; the device
parses answers with them. Bytes are base64url without padding (:data:`B64Bytes`);
Argon2id parameters are :data:`~otpkeep.protocol.kdf.Kdf`. Backup bodies are not JSON:
``PUT``/``GET /v1/backup`` carry the sealed envelope as ``application/octet-stream``
and the version as an ETag. Which endpoint takes and answers which message, and who
may call it, is the table of :mod:`otpkeep.protocol.endpoints`.

Who may do what (docs/security.md):

- a verified email code gives a *mailbox* session: ``setup`` when the address has no
  passcode (it may register the first one), ``recovery`` when it has one (it may spend
  counted passcode tries, or sign in with the data key, and nothing else);
- a ``full`` session belongs to a device that holds the data key: it came from the
  first registration, a right passcode, or a proof of possession of the data key. It
  reads ciphertext and metadata with its token alone; every change (an upload, a
  passcode, the address, a device, a deletion) also carries a signature under the
  data key's possession key, which the token alone cannot make.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from otpkeep.crypto.policy import MAX_DIGITS, MIN_DIGITS
from otpkeep.protocol.fields import B64Bytes, Kdf, KdfCosts
from otpkeep.protocol.kinds import Delivery, EventKind, PossessionAction, Purpose, SessionScope
from otpkeep.protocol.mailbox import MAX_ADDRESS, NO_CONTROL_PATTERN, check_address, check_text

__all__ = [
    "Delivery",
    "EventKind",
    "PossessionAction",
    "Purpose",
    "SessionScope",
]
"""Re-exported from :mod:`otpkeep.protocol.kinds`, where they live without pydantic."""

API_VERSION = "v1"
CODE_LENGTH = 6
VERIFY_LINK = "otpkeep://verify"
"""The app's deep link; query ``id`` (the verification id) and ``code`` (the emailed code)."""

Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_ADDRESS),
    AfterValidator(check_address),
    WithJsonSchema({"type": "string", "format": "email", "minLength": 3, "maxLength": MAX_ADDRESS}),
]
"""A mailbox address (:mod:`otpkeep.protocol.mailbox`): dot-atom local part, IDNA domain."""


DeviceName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=64),
    AfterValidator(check_text),
    WithJsonSchema({"type": "string", "maxLength": 64, "pattern": NO_CONTROL_PATTERN}),
]
Target = Annotated[
    str,
    StringConstraints(max_length=254),
    AfterValidator(check_text),
    WithJsonSchema({"type": "string", "maxLength": 254, "pattern": NO_CONTROL_PATTERN}),
]
KeyVersion = Annotated[int, Field(ge=0, le=2**32 - 1)]
"""A key version: ``u32`` in every derivation (docs/protocol.md)."""
VerificationCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class Message(BaseModel):
    """Every message: unknown fields refused, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- configuration -------------------------------------------------------------


class EcosystemMember(Message):
    """One service of the operator's ecosystem, matched on its names and domains.

    ``aliases`` are the other names its accounts are issued under (product names,
    former names); see :mod:`otpkeep.protocol.ecosystem`.
    """

    name: str
    aliases: list[str] = []
    domains: list[str] = []


class PasscodePolicy(Message):
    min_length: int = MIN_DIGITS
    max_length: int = MAX_DIGITS


class VerificationPolicy(Message):
    code_length: int = CODE_LENGTH
    code_lifetime_seconds: int = 600
    max_attempts: int = 5
    max_sends_per_hour: int = 20


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
    kdf: KdfCosts
    limits: Limits
    oprf_suite: str = "ristretto255-SHA512"


# --- email verification --------------------------------------------------------


class VerificationStart(Message):
    """Ask for a code. ``change_email`` needs a full session and a possession proof."""

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


class VerificationDelivery(Message):
    """What became of a verification's email (the one who started it knows its id)."""

    delivery: Delivery
    attempts: int = 0


class LinkOpen(Message):
    """The token of an emailed ``/v/{token}`` link, as the app was given it."""

    token: Annotated[str, StringConstraints(min_length=1, max_length=512)]


class VerificationLink(Message):
    """What an emailed link holds: the verification and its code (as the page shows)."""

    verification_id: uuid.UUID
    code: VerificationCode


class DeviceRename(Message):
    """A new name for one of the account's devices."""

    name: DeviceName


class SessionGranted(Message):
    """A device session. A code gives ``setup`` or ``recovery``; ``full`` needs the data key."""

    session_token: str
    session_id: uuid.UUID
    scope: SessionScope
    account_id: uuid.UUID
    email: str
    has_passcode: bool
    backup_version: int | None


class NewSession(Message):
    """The session that replaces the caller's (its old token no longer works)."""

    session_token: str
    session_id: uuid.UUID
    scope: SessionScope = SessionScope.FULL


class EmailChanged(Message):
    email: str


# --- proof of possession of the data key -------------------------------------


class PossessionChallengeRequest(Message):
    """Ask for a challenge to sign for ``action`` on ``target`` (a device id, an address)."""

    action: PossessionAction
    target: Target = ""


class PossessionChallenge(Message):
    """Sign it with the possession key; send the proof within ``expires_in`` seconds."""

    challenge_id: uuid.UUID
    challenge: B64Bytes
    expires_in: int


# --- passcode registration -----------------------------------------------------


class OprfRequest(Message):
    blinded_element: B64Bytes


class RegistrationChallenge(Message):
    """The OPRF evaluation under the account's next key version and a fresh OPRF key."""

    registration_id: uuid.UUID
    key_version: int
    evaluated_element: B64Bytes
    challenge: B64Bytes
    kdf: Kdf
    has_passcode: bool


class PasscodeRegistration(Message):
    """Swap in a passcode, signed under the possession key over every new value.

    ``possession_public_key`` comes with the first passcode only. ``renewal`` marks the
    re-key that follows a transfer (the same passcode under a new key version).
    """

    registration_id: uuid.UUID
    key_version: KeyVersion
    auth_public_key: B64Bytes
    wrapped_data_key: B64Bytes
    kdf: Kdf
    signature: B64Bytes
    possession_public_key: B64Bytes | None = None
    renewal: bool = False


class PasscodeRegistered(Message):
    key_version: int
    tries_left: int
    session: NewSession


# --- recovery (recovery session) -----------------------------------------------


class RecoveryChallenge(Message):
    """One try has been taken before this answer was sent; prove it within ``expires_in``."""

    attempt_id: uuid.UUID
    key_version: int
    evaluated_element: B64Bytes
    challenge: B64Bytes
    kdf: Kdf
    tries_left: int
    expires_in: int


class RecoveryProof(Message):
    attempt_id: uuid.UUID
    signature: B64Bytes


class RecoveryGranted(Message):
    """The passcode was right: the wrapped data key, and a full session in place of this one."""

    key_version: int
    wrapped_data_key: B64Bytes
    backup_version: int | None
    session: NewSession


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


class Event(Message):
    id: uuid.UUID
    kind: EventKind
    created_at: dt.datetime
    details: dict[str, Any] = {}


class EventList(Message):
    events: list[Event]


class EscrowSummary(Message):
    """What the service holds of the passcode, by fingerprint only: never the keys."""

    key_version: int
    auth_public_key_sha256: str
    wrapped_data_key_sha256: str
    possession_public_key_sha256: str
    kdf: Kdf
    tries_left: int
    failures: int
    wait_until: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class StoredVersion(Message):
    """One backup version of the privacy export: its ciphertext, as stored."""

    version: int
    size: int
    created_at: dt.datetime
    data: B64Bytes


class AccountExport(Message):
    """Everything the service holds about an account (ciphertext stays ciphertext)."""

    account_id: uuid.UUID
    email: str
    created_at: dt.datetime
    passcode: EscrowSummary | None
    backups: list[StoredVersion]
    devices: list[DeviceInfo]
    events: list[Event]


# --- errors ----------------------------------------------------------------------


class ErrorDetail(Message):
    """A refusal: ``code`` is an :class:`~otpkeep.protocol.errors.ErrorCode` value."""

    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(Message):
    error: ErrorDetail
