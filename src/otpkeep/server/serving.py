"""How ``otpkeep-server serve`` listens: its socket, and uvicorn with limits on every client.

uvicorn alone keeps a connection that never finishes its headers, or its body, for ever,
reads headers of any size, and answers its concurrency limit with a bare 503. The
protocol here (uvicorn's httptools protocol, with guards) adds:

- a header timeout: a request's line and headers must arrive within
  ``header_timeout_seconds`` of the connection, or of the answer before it; else the
  connection is closed;
- a body timeout: its body must arrive within ``body_timeout_seconds`` of its headers;
  else the connection is closed (the route sees a client that went away);
- a header size cap: more than ``max_header_bytes`` before the headers end is answered
  ``413 request_too_large`` and the connection closed;
- a bound on connections and on requests in progress (``max_connections``): beyond it a
  request is answered ``503 service_unavailable`` with ``Retry-After``.

Idle keep-alive connections close after uvicorn's ``timeout_keep_alive``; the listening
socket's backlog is ``listen_backlog``. The socket is bound before anything says the
service listens, so a port in use is one sentence, not a traceback.
"""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any, Final

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from otpkeep.errors import ConfigurationError
from otpkeep.protocol.errors import ErrorCode
from otpkeep.server.accesslog import error_response_body

if TYPE_CHECKING:
    import asyncio

    from starlette.types import Receive, Scope, Send

    from otpkeep.server.settings import Settings

KEEP_ALIVE_SECONDS: Final = 5
BUSY_RETRY_AFTER: Final = 1
BUSY_TEXT: Final = "The service is answering as many requests as it can: try again in a moment."
HEADERS_TOO_LARGE: Final = "The request's headers are larger than this service accepts."


async def busy(scope: Scope, receive: Receive, send: Send) -> None:
    """The answer beyond ``max_connections``: 503 with ``Retry-After``."""
    del scope, receive
    code = ErrorCode.SERVICE_UNAVAILABLE
    body = error_response_body(code, BUSY_TEXT)
    await send(
        {
            "type": "http.response.start",
            "status": code.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(BUSY_RETRY_AFTER).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class ConnectionLimits:
    """The limits :class:`GuardedProtocol` holds every connection to."""

    def __init__(self, settings: Settings) -> None:
        self.header_timeout = float(settings.header_timeout_seconds)
        self.body_timeout = float(settings.body_timeout_seconds)
        self.max_header_bytes = settings.max_header_bytes
        self.max_connections = settings.max_connections


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with header and body timeouts and a header size cap."""

    limits: ConnectionLimits  # set on the subclass :func:`protocol_for` makes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_concurrency = None  # counted below, answered with Retry-After
        self._deadline: asyncio.TimerHandle | None = None
        self._header_bytes: int | None = 0
        self._tail = b""

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the header timeout of the first request."""
        super().connection_made(transport)
        self._arm(self.limits.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the timer with the connection."""
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        """Count header bytes (up to the blank line); refuse headers over the cap unparsed."""
        if self._header_bytes is not None:
            seen = self._tail + data
            end = seen.find(b"\r\n\r\n")
            self._header_bytes += len(data) if end < 0 else max(0, end + 4 - len(self._tail))
            self._tail = seen[-3:]
            if self._header_bytes > self.limits.max_header_bytes:
                self._refuse_headers()
                return
        super().data_received(data)

    def _refuse_headers(self) -> None:
        code = ErrorCode.REQUEST_TOO_LARGE
        body = error_response_body(code, HEADERS_TOO_LARGE)
        self.transport.write(
            b"HTTP/1.1 413 Content Too Large\r\ncontent-type: application/json\r\n"
            b"connection: close\r\ncontent-length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        self._disarm()
        self.transport.close()

    def on_headers_complete(self) -> None:
        """Headers in: the body's timeout starts; the request is answered, or refused busy."""
        self._header_bytes = None
        self._arm(self.limits.body_timeout)
        limit = self.limits.max_connections
        if len(self.connections) > limit or len(self.tasks) >= limit:
            app, self.app = self.app, busy
            try:
                super().on_headers_complete()
            finally:
                self.app = app
            return
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """The whole request is read: no timeout until its answer is sent."""
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """Answered: the next request's headers have their timeout again (past keep-alive)."""
        pipelined = bool(self.pipeline)
        super().on_response_complete()
        if not pipelined and not self.transport.is_closing():
            self._header_bytes = 0
            self._tail = b""
            self._arm(self.limits.header_timeout + KEEP_ALIVE_SECONDS)


def protocol_for(settings: Settings) -> type[GuardedProtocol]:
    """The guarded protocol class holding connections to ``settings``' limits."""
    return type("OtpkeepProtocol", (GuardedProtocol,), {"limits": ConnectionLimits(settings)})


def listen(host: str, port: int, *, backlog: int) -> socket.socket:
    """A socket listening on ``host:port``; one sentence when it cannot listen there."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigurationError(
            f"otpkeep-server cannot listen on {host}:{port}: {host!r} is not an address of "
            "this machine (use --host)."
        ) from exc
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise ConfigurationError(
            f"otpkeep-server cannot listen on {host}:{port} ({exc.strerror}): another program "
            "may use the port; choose another with --port."
        ) from exc
    return sock
