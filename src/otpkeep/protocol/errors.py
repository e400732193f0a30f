"""Stable error codes shared by the service and the device.

The service answers every refusal as ``{"error": {"code", "message", "details"}}``
with the HTTP status of its code; the device maps the code back (never the
message, which is for people and may change). Codes are never renamed.

Details the device reads: ``passcode_incorrect`` carries ``tries_left`` (int) and,
when the next try must wait, ``retry_after`` (seconds); ``rate_limited`` and
``recovery_wait`` carry ``retry_after`` as well as the ``Retry-After`` header.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """Every reason the service gives for refusing a request."""

    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    SESSION_SCOPE = "session_scope"
    RATE_LIMITED = "rate_limited"
    VERIFICATION_FAILED = "verification_failed"
    VERIFICATION_EXPIRED = "verification_expired"
    EMAIL_IN_USE = "email_in_use"
    PASSCODE_NOT_SET = "passcode_not_set"
    POSSESSION_PROOF_INVALID = "possession_proof_invalid"
    REGISTRATION_EXPIRED = "registration_expired"
    KEY_VERSION_CONFLICT = "key_version_conflict"
    PASSCODE_INCORRECT = "passcode_incorrect"
    RECOVERY_WAIT = "recovery_wait"
    ATTEMPT_EXPIRED = "attempt_expired"
    NO_BACKUP = "no_backup"
    BACKUP_CONFLICT = "backup_conflict"
    PRECONDITION_REQUIRED = "precondition_required"
    BACKUP_TOO_LARGE = "backup_too_large"
    NOT_FOUND = "not_found"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL_ERROR = "internal_error"

    @property
    def status(self) -> int:
        """The HTTP status the service answers with."""
        return _STATUS[self]


_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 422,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.SESSION_SCOPE: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.VERIFICATION_FAILED: 400,
    ErrorCode.VERIFICATION_EXPIRED: 410,
    ErrorCode.EMAIL_IN_USE: 409,
    ErrorCode.PASSCODE_NOT_SET: 409,
    ErrorCode.POSSESSION_PROOF_INVALID: 403,
    ErrorCode.REGISTRATION_EXPIRED: 410,
    ErrorCode.KEY_VERSION_CONFLICT: 409,
    ErrorCode.PASSCODE_INCORRECT: 403,
    ErrorCode.RECOVERY_WAIT: 429,
    ErrorCode.ATTEMPT_EXPIRED: 410,
    ErrorCode.NO_BACKUP: 404,
    ErrorCode.BACKUP_CONFLICT: 412,
    ErrorCode.PRECONDITION_REQUIRED: 428,
    ErrorCode.BACKUP_TOO_LARGE: 413,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.INTERNAL_ERROR: 500,
}
