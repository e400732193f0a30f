"""The service's refusal: one exception type, for one stable code and a sentence.

Use cases raise :class:`Refusal` (built with :func:`refuse`); the app answers it with
the code's HTTP status from :mod:`otpkeep.protocol.errors` (the one table), the sentence
and the details, and a ``Retry-After`` header when the refusal says when to retry. The
unit of work commits a refusal's transaction: a refusal may have spent a try.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from otpkeep.protocol.errors import ErrorCode


class Refusal(Exception):  # noqa: N818 - a refusal is an answer, not a failure of the service
    """The service refuses the request with ``code``; ``message`` is for people."""

    def __init__(
        self,
        code: ErrorCode,
        message: str,
        *,
        retry_after: float | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.details = details or {}

    @property
    def status(self) -> int:
        """The HTTP status of the code."""
        return self.code.status


def refuse(
    code: ErrorCode,
    message: str,
    *,
    retry_after: float | None = None,
    details: dict[str, Any] | None = None,
) -> Refusal:
    """The refusal for ``code``; ``raise refuse(...)``. ``retry_after`` rounds up to seconds."""
    return Refusal(
        code,
        message,
        retry_after=None if retry_after is None else float(max(1, math.ceil(retry_after))),
        details=details,
    )
