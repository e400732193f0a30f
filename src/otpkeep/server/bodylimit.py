"""Refuse request bodies over their limit with 413, before anything parses them.

A backup upload may carry ``max_backup_bytes`` (``backup_too_large`` beyond); every other
request at most ``max_request_bytes`` (``request_too_large``). A declared
``Content-Length`` over the limit is refused at once; any other body is read only up to
the limit (an upload as it streams to its route, a JSON body before anything parses it).
Pure ASGI, so the refusal costs no parsing and no thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.protocol import endpoints
from otpkeep.protocol.errors import ErrorCode
from otpkeep.server.accesslog import error_response_body

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOO_LARGE = "The request is larger than this service accepts."


class BodyTooLargeError(Exception):
    """A streamed body passed its limit."""


class BodyLimit:
    """ASGI middleware: ``max_request_bytes`` for every body but a backup upload's."""

    def __init__(self, app: ASGIApp, *, max_request_bytes: int, max_backup_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes
        self.max_backup_bytes = max_backup_bytes

    def _limit(self, scope: Scope) -> tuple[int, ErrorCode]:
        upload = endpoints.UPLOAD
        if scope.get("method") == upload.method and scope.get("path") == upload.path:
            return self.max_backup_bytes, ErrorCode.BACKUP_TOO_LARGE
        return self.max_request_bytes, ErrorCode.REQUEST_TOO_LARGE

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, code = self._limit(scope)
        if _declared_too_large(scope, limit):
            await _refuse(send, code)
            return
        if code is ErrorCode.BACKUP_TOO_LARGE:
            await self._stream(scope, receive, send, limit, code)
            return
        # A JSON body is small: read it whole, up to the limit, before the app parses it
        # (a framework that meets an error while parsing would answer it as malformed).
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > limit:
                await _refuse(send, code)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _stream(
        self, scope: Scope, receive: Receive, send: Send, limit: int, code: ErrorCode
    ) -> None:
        """An upload: counted as it streams to the route, cut off once it passes ``limit``."""
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLargeError:
            if not started:
                await _refuse(send, code)


def _declared_too_large(scope: Scope, limit: int) -> bool:
    """A ``Content-Length`` over ``limit``, or one that is not a number."""
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return not value.isdigit() or int(value) > limit
    return False


async def _refuse(send: Send, code: ErrorCode) -> None:
    body = error_response_body(code, TOO_LARGE)
    await send(
        {
            "type": "http.response.start",
            "status": code.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
