"""Stable error codes shared by the service and the device, and the HTTP status of each.

The service answers every refusal as ``{"error": {"code", "message", "details"}}``
with the HTTP status of its code (this table is the only place that pairs them); the
device maps the code back to an error of its own (never the message, which is for
people and may change). Codes are never renamed.

Details the device reads: ``passcode_incorrect`` carries ``tries_left`` (int) and,
when the next try must wait, ``retry_after`` (seconds); ``rate_limited`` and
``recovery_wait`` carry ``retry_after`` as well as the ``Retry-After`` header;
``session_ended`` carries ``reason`` (:class:`EndReason`) and ``ended_at``.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.StrEnum):
    """Every reason the service gives for refusing a request."""

    INVALID_REQUEST = "invalid_request"
    UNAUTHORIZED = "unauthorized"
    SESSION_EXPIRED = "session_expired"
    SESSION_ENDED = "session_ended"
    SESSION_SCOPE = "session_scope"
    RATE_LIMITED = "rate_limited"
    VERIFICATION_FAILED = "verification_failed"
    VERIFICATION_EXPIRED = "verification_expired"
    EMAIL_IN_USE = "email_in_use"
    EMAIL_UNCHANGED = "email_unchanged"
    PASSCODE_NOT_SET = "passcode_not_set"
    PASSCODE_EXISTS = "passcode_exists"
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
    REQUEST_TOO_LARGE = "request_too_large"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    SERVICE_UNAVAILABLE = "service_unavailable"
    INTERNAL_ERROR = "internal_error"

    @property
    def status(self) -> int:
        """The HTTP status the service answers with."""
        return _STATUS[self]


class EndReason(enum.StrEnum):
    """Why a session ended (``session_ended``'s ``reason``)."""

    REVOKED = "revoked"
    REPLACED = "replaced"
    BACKUP_DELETED = "backup_deleted"
    BACKUP_DESTROYED = "backup_destroyed"
    EMAIL_CHANGE_UNDONE = "email_change_undone"


_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_REQUEST: 422,
    ErrorCode.UNAUTHORIZED: 401,
    ErrorCode.SESSION_EXPIRED: 401,
    ErrorCode.SESSION_ENDED: 401,
    ErrorCode.SESSION_SCOPE: 403,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.VERIFICATION_FAILED: 400,
    ErrorCode.VERIFICATION_EXPIRED: 410,
    ErrorCode.EMAIL_IN_USE: 409,
    ErrorCode.EMAIL_UNCHANGED: 409,
    ErrorCode.PASSCODE_NOT_SET: 409,
    ErrorCode.PASSCODE_EXISTS: 409,
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
    ErrorCode.REQUEST_TOO_LARGE: 413,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
    ErrorCode.INTERNAL_ERROR: 500,
}
