"""The endpoints of the HTTP API, in one table: method, path, messages and who may call.

The service registers its routes from this table and the device's client calls through
it, so a path, a method, a message or a required scope is written once. ``scopes`` is
who may call with a session token (empty: no session is needed, or, for ``optional``,
one may be sent); ``refusals`` lists the codes an endpoint answers besides the ones
every endpoint of its kind may (see :data:`COMMON_REFUSALS`), for the OpenAPI document.

Two headers carry signatures under the data key's possession key (docs/protocol.md):
:data:`POSSESSION_HEADER` on a request that changes the account (``<challenge id>.<sig>``
over a challenge from :data:`POSSESSION_CHALLENGE`) and :data:`SIGNATURE_HEADER` on every
backup upload (a signature over the account, the new version and the body's SHA-256).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from otpkeep.protocol import messages as m
from otpkeep.protocol.errors import ErrorCode as E

POSSESSION_HEADER: Final = "Otpkeep-Possession"
SIGNATURE_HEADER: Final = "Otpkeep-Signature"
OCTETS: Final = "application/octet-stream"

MAILBOX = frozenset({m.SessionScope.SETUP, m.SessionScope.RECOVERY})
ANY_SESSION = frozenset(m.SessionScope)
FULL = frozenset({m.SessionScope.FULL})


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint: ``request``/``response`` name a message, ``OCTETS``, or nothing."""

    name: str
    method: str
    path: str
    summary: str
    scopes: frozenset[m.SessionScope] = frozenset()
    optional: bool = False
    request: type[m.Message] | str | None = None
    response: type[m.Message] | str | None = None
    status: int = 200
    possession: bool = False
    refusals: tuple[E, ...] = ()

    def url(self, **parameters: object) -> str:
        """The path with its ``{name}`` parameters filled in."""
        return self.path.format(**parameters)

    @property
    def authenticated(self) -> bool:
        """Whether a session token is needed (or, with ``optional``, read when sent)."""
        return bool(self.scopes)


COMMON_REFUSALS: Final = (E.INVALID_REQUEST, E.REQUEST_TOO_LARGE, E.SERVICE_UNAVAILABLE)
"""What any endpoint may answer: a malformed or too large request, a database outage."""
SESSION_REFUSALS: Final = (E.UNAUTHORIZED, E.SESSION_EXPIRED, E.SESSION_ENDED, E.SESSION_SCOPE)
"""What any endpoint that needs a session may answer."""
POSSESSION_REFUSALS: Final = (E.POSSESSION_PROOF_INVALID, E.PASSCODE_NOT_SET)
"""What an endpoint that checks a possession proof may answer (no passcode: no key to prove)."""

CONFIG = Endpoint(
    "config", "GET", "/v1/config", "The ecosystem, policies, KDF defaults and limits.",
    response=m.ServiceConfig,
)  # fmt: skip
START_VERIFICATION = Endpoint(
    "start_verification", "POST", "/v1/verifications",
    "Email a code (the same answer and timing for every address).",
    scopes=FULL, optional=True, possession=True,
    request=m.VerificationStart, response=m.VerificationStarted, status=202,
    refusals=(E.RATE_LIMITED, E.EMAIL_UNCHANGED),
)  # fmt: skip
CONFIRM_VERIFICATION = Endpoint(
    "confirm_verification", "POST", "/v1/verifications/{verification_id}/confirm",
    "Check a code: a mailbox session (enable, transfer) or the new address (change).",
    scopes=FULL, optional=True,
    request=m.VerificationConfirm, response=m.SessionGranted,
    refusals=(E.VERIFICATION_FAILED, E.VERIFICATION_EXPIRED, E.EMAIL_IN_USE),
)  # fmt: skip
VERIFICATION_DELIVERY = Endpoint(
    "verification_delivery", "GET", "/v1/verifications/{verification_id}/delivery",
    "What became of a verification's email: queued, sent, or failed for good.",
    response=m.VerificationDelivery, refusals=(E.NOT_FOUND,),
)  # fmt: skip
OPEN_LINK = Endpoint(
    "open_link", "POST", "/v1/verifications/link",
    "What an emailed link holds (its verification and code), for the app it was pasted in.",
    request=m.LinkOpen, response=m.VerificationLink,
    refusals=(E.NOT_FOUND, E.VERIFICATION_EXPIRED),
)  # fmt: skip
POSSESSION_CHALLENGE = Endpoint(
    "possession_challenge", "POST", "/v1/possession/challenge",
    "A challenge to sign with the data key's possession key, for one action.",
    scopes=ANY_SESSION, request=m.PossessionChallengeRequest, response=m.PossessionChallenge,
    refusals=(E.PASSCODE_NOT_SET,),
)  # fmt: skip
SIGN_IN = Endpoint(
    "sign_in", "POST", "/v1/session",
    "Prove possession of the data key: a full session replaces this one.",
    scopes=ANY_SESSION, possession=True, response=m.SessionGranted,
    refusals=(E.PASSCODE_NOT_SET,),
)  # fmt: skip
REGISTRATION_EVALUATE = Endpoint(
    "registration_evaluate", "POST", "/v1/passcode/evaluate",
    "Evaluate a new passcode under the next key version (a change needs a possession proof).",
    scopes=frozenset({m.SessionScope.SETUP, m.SessionScope.FULL}), possession=True,
    request=m.OprfRequest, response=m.RegistrationChallenge,
    refusals=(E.PASSCODE_EXISTS,),
)  # fmt: skip
REGISTRATION_FINISH = Endpoint(
    "registration_finish", "PUT", "/v1/passcode",
    "Swap in the new passcode's keys, signed under the possession key.",
    scopes=frozenset({m.SessionScope.SETUP, m.SessionScope.FULL}),
    request=m.PasscodeRegistration, response=m.PasscodeRegistered,
    refusals=(
        E.REGISTRATION_EXPIRED, E.KEY_VERSION_CONFLICT, E.PASSCODE_EXISTS,
        E.POSSESSION_PROOF_INVALID,
    ),
)  # fmt: skip
RECOVERY_EVALUATE = Endpoint(
    "recovery_evaluate", "POST", "/v1/recovery/evaluate",
    "Take one passcode try, then evaluate the blinded passcode.",
    scopes=frozenset({m.SessionScope.RECOVERY}),
    request=m.OprfRequest, response=m.RecoveryChallenge,
    refusals=(E.RECOVERY_WAIT, E.NO_BACKUP),
)  # fmt: skip
RECOVERY_PROOF = Endpoint(
    "recovery_proof", "POST", "/v1/recovery/proof",
    "Check the proof of a passcode try: the wrapped data key and a full session if right.",
    scopes=frozenset({m.SessionScope.RECOVERY}),
    request=m.RecoveryProof, response=m.RecoveryGranted,
    refusals=(E.PASSCODE_INCORRECT, E.ATTEMPT_EXPIRED, E.NO_BACKUP),
)  # fmt: skip
UPLOAD = Endpoint(
    "upload", "PUT", "/v1/backup",
    'Store a new version: If-Match "N" (If-None-Match * for the first), signed.',
    scopes=FULL, request=OCTETS, response=m.BackupStored,
    refusals=(
        E.BACKUP_CONFLICT, E.PRECONDITION_REQUIRED, E.PASSCODE_NOT_SET, E.BACKUP_TOO_LARGE,
        E.POSSESSION_PROOF_INVALID,
    ),
)  # fmt: skip
DOWNLOAD = Endpoint(
    "download", "GET", "/v1/backup", "The newest version's octets, its number as the ETag.",
    scopes=FULL, response=OCTETS, refusals=(E.NO_BACKUP,),
)  # fmt: skip
VERSIONS = Endpoint(
    "versions", "GET", "/v1/backup/versions", "The kept versions, newest first.",
    scopes=FULL, response=m.BackupVersionList,
)  # fmt: skip
DOWNLOAD_VERSION = Endpoint(
    "download_version", "GET", "/v1/backup/versions/{version}", "One kept version's octets.",
    scopes=FULL, response=OCTETS, refusals=(E.NOT_FOUND,),
)  # fmt: skip
DELETE_BACKUP = Endpoint(
    "delete_backup", "DELETE", "/v1/backup",
    "Delete the backup, its passcode and every version; every session ends.",
    scopes=FULL, possession=True, status=204,
)  # fmt: skip
DEVICES = Endpoint(
    "devices", "GET", "/v1/devices", "The account's device sessions.",
    scopes=FULL, response=m.DeviceList,
)  # fmt: skip
REVOKE_DEVICE = Endpoint(
    "revoke_device", "DELETE", "/v1/devices/{device_id}", "End one device's session.",
    scopes=FULL, possession=True, status=204, refusals=(E.NOT_FOUND,),
)  # fmt: skip
RENAME_DEVICE = Endpoint(
    "rename_device", "PATCH", "/v1/devices/{device_id}", "Rename one of the account's devices.",
    scopes=FULL, possession=True, request=m.DeviceRename, response=m.DeviceInfo,
    refusals=(E.NOT_FOUND,),
)  # fmt: skip
EVENTS = Endpoint(
    "events", "GET", "/v1/events", "The account's security events, newest first.",
    scopes=FULL, response=m.EventList,
)  # fmt: skip
EXPORT = Endpoint(
    "export", "GET", "/v1/account/export", "Everything the service holds about the account.",
    scopes=FULL, response=m.AccountExport,
)  # fmt: skip
DELETE_ACCOUNT = Endpoint(
    "delete_account", "DELETE", "/v1/account", "Delete everything about the account.",
    scopes=FULL, possession=True, status=204,
)  # fmt: skip

ENDPOINTS: Final = (
    CONFIG, START_VERIFICATION, CONFIRM_VERIFICATION, VERIFICATION_DELIVERY, OPEN_LINK,
    POSSESSION_CHALLENGE, SIGN_IN,
    REGISTRATION_EVALUATE, REGISTRATION_FINISH, RECOVERY_EVALUATE, RECOVERY_PROOF,
    UPLOAD, DOWNLOAD, VERSIONS, DOWNLOAD_VERSION, DELETE_BACKUP,
    DEVICES, RENAME_DEVICE, REVOKE_DEVICE, EVENTS, EXPORT, DELETE_ACCOUNT,
)  # fmt: skip
"""Every JSON and octet endpoint of ``/v1`` (the service's own pages are not in it)."""


def refusals_of(endpoint: Endpoint) -> tuple[E, ...]:
    """Every code ``endpoint`` may answer, in a stable order."""
    codes: list[E] = [*COMMON_REFUSALS]
    if endpoint.authenticated:
        codes += SESSION_REFUSALS
    if endpoint.possession:
        codes += POSSESSION_REFUSALS
    codes += endpoint.refusals
    return tuple(dict.fromkeys(codes))
