"""Refusals the use cases raise: an :class:`~otpkeep.errors.APIError` for a stable code."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from otpkeep.errors import APIError

if TYPE_CHECKING:
    from otpkeep.protocol.errors import ErrorCode


def refuse(
    code: ErrorCode,
    message: str,
    *,
    retry_after: float | None = None,
    details: dict[str, Any] | None = None,
) -> APIError:
    """The error answering ``code`` with its HTTP status; ``raise refuse(...)``."""
    return APIError(
        code.value,
        message,
        status=code.status,
        retry_after=None if retry_after is None else float(max(1, math.ceil(retry_after))),
        details=details,
    )
