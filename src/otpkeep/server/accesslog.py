"""One JSON log line per request, and the last line of defence against stray errors.

The line names the route *template* (``/v/{token}``), never the raw path, so a token in
a URL never reaches a log; uvicorn's own access log is off. An exception that escapes
the app becomes a 500 ``internal_error`` with nothing of it in the answer, and only
its type in the log; a database that cannot be reached (or no pooled connection
within 30 s) or whose disk is full becomes a 503 ``service_unavailable`` with
``Retry-After``, saying which (:mod:`otpkeep.server.db.failures`), and a client that went
away before its request was read is logged with status 499 and answered nothing.
"""

from __future__ import annotations

import itertools
import json
import logging
import secrets
import time
from typing import TYPE_CHECKING, Any, Final

from starlette.requests import ClientDisconnect

from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import ErrorBody, ErrorDetail
from otpkeep.server.db.failures import Outage, outage

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("otpkeep.access")
error_logger = logging.getLogger("otpkeep.server")
_PROCESS: Final = secrets.token_hex(4)
_NUMBERS: Final = itertools.count()
"""A request id is this process's random prefix and a number: unique without a syscall."""
CLIENT_GONE = 499
"""The status logged for a request whose client left before it was read (nginx's)."""
RETRY_AFTER: dict[Outage, int] = {Outage.UNREACHABLE: 5, Outage.DISK_FULL: 60}
"""Seconds a client is asked to wait after each kind of outage."""
_OUTAGE_TEXT: dict[Outage, str] = {
    Outage.UNREACHABLE: "The service cannot reach its database: try again later.",
    Outage.DISK_FULL: "The service's database has no space left: try again later.",
}


def error_response_body(code: ErrorCode, message: str) -> bytes:
    """The JSON body of an error answer."""
    return ErrorBody(error=ErrorDetail(code=code.value, message=message)).model_dump_json().encode()


class AccessLog:
    """Pure ASGI middleware: request id, JSON access log line, 500/503 fallback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"{_PROCESS}{next(_NUMBERS):08x}"
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            status = CLIENT_GONE if not response_started else status
        except Exception as exc:  # noqa: BLE001 - the last line of defence: answer 500
            code = ErrorCode.INTERNAL_ERROR
            text = "The service failed: try again later."
            headers = [
                (b"content-type", b"application/json"),
                (b"x-request-id", request_id.encode()),
            ]
            event = "unhandled_error"
            cause = outage(exc)
            if cause is not None:
                code = ErrorCode.SERVICE_UNAVAILABLE
                text = _OUTAGE_TEXT[cause]
                event = cause.value
                headers.append((b"retry-after", str(RETRY_AFTER[cause]).encode()))
            error_logger.error(  # noqa: TRY400 - a traceback may carry request data
                json.dumps({"event": event, "error": type(exc).__name__, "request_id": request_id})
            )
            if not response_started:
                status = code.status
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": error_response_body(code, text)})
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "(unmatched)"
            line: dict[str, Any] = {
                "event": "request",
                "method": scope.get("method"),
                "route": template,
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "request_id": request_id,
            }
            logger.info(json.dumps(line))
