"""The one table from errors to HTTP answers: ``ErrorBody`` JSON with the code's status.

Refusals carry their stable code; request validation errors are ``invalid_request``
(422) and name the fields, never their values; unknown routes are ``not_found``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import ErrorBody, ErrorDetail
from otpkeep.server.errors import Refusal

if TYPE_CHECKING:
    from fastapi import FastAPI, Request


def error_response(
    code: str,
    message: str,
    status: int,
    *,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """An ``ErrorBody`` answer."""
    body = ErrorBody(error=ErrorDetail(code=code, message=message, details=details or {}))
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


async def _refusal(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, Refusal):  # pragma: no cover - registered for Refusal only
        raise TypeError(type(exc).__name__)
    headers = {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else None
    return error_response(
        exc.code.value, exc.message, exc.status, details=exc.details, headers=headers
    )


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, RequestValidationError):  # pragma: no cover - registered for it
        raise TypeError(type(exc).__name__)
    fields = [
        {"loc": [str(part) for part in error.get("loc", ())], "type": str(error.get("type", ""))}
        for error in exc.errors()
    ]
    return error_response(
        ErrorCode.INVALID_REQUEST.value,
        "The request is not valid: check the fields named in details.",
        ErrorCode.INVALID_REQUEST.status,
        details={"errors": fields[:20]},
    )


def allowed_methods(request: Request) -> str:
    """Every method some route of the app answers at this request's path, for ``Allow``."""
    methods: set[str] = set()
    for candidate in request.app.router.routes:
        match, _ = candidate.matches({**request.scope, "method": "GET", "type": "http"})
        route_methods = getattr(candidate, "methods", None)
        if match is not Match.NONE and route_methods:
            methods.update(route_methods)
    return ", ".join(sorted(methods))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    if not isinstance(exc, StarletteHTTPException):  # pragma: no cover - registered for it
        raise TypeError(type(exc).__name__)
    if exc.status_code == 404:
        return error_response(ErrorCode.NOT_FOUND.value, "There is nothing at this address.", 404)
    if exc.status_code == 413:
        code = ErrorCode.REQUEST_TOO_LARGE
        return error_response(code.value, "The request is too large.", code.status)
    if exc.status_code == 405:
        code = ErrorCode.METHOD_NOT_ALLOWED
        return error_response(
            code.value,
            "This request is not accepted here.",
            code.status,
            headers={"Allow": allowed_methods(request)},
        )
    return error_response(
        ErrorCode.INVALID_REQUEST.value,
        "The request is not valid.",
        ErrorCode.INVALID_REQUEST.status,
    )


def install(app: FastAPI) -> None:
    """Register the error answers on ``app``."""
    app.add_exception_handler(Refusal, _refusal)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
