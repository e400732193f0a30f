"""How the service listens: slow, idle, oversized and surplus clients are cut off."""

from __future__ import annotations

import json
import socket
import threading
import time
from typing import TYPE_CHECKING

import pytest
import uvicorn

from otpkeep.server.serving import listen, protocol_for

if TYPE_CHECKING:
    from collections.abc import Iterator

    from service_harness import ServiceFactory

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

LIMITS = {
    "header_timeout_seconds": 1,
    "body_timeout_seconds": 1,
    "max_header_bytes": 4096,
    "max_connections": 2,
}


@pytest.fixture
def guarded(service_factory: ServiceFactory) -> Iterator[int]:
    """The service served as ``otpkeep-server serve`` serves it, with small limits."""
    harness = service_factory(**LIMITS)
    sock = listen("127.0.0.1", 0, backlog=16)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        harness.app, http=protocol_for(harness.settings), log_config=None, access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield port
    server.should_exit = True
    thread.join(10)


def connect(port: int) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", port), timeout=10)
    client.settimeout(10)
    return client


def closed_within(client: socket.socket, seconds: float) -> bool:
    """Whether the service closes the connection within ``seconds`` (reading what it sends)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if client.recv(65536) == b"":
                return True
        except ConnectionResetError:
            return True
    return False


def answer(client: socket.socket, request: bytes) -> tuple[int, dict[str, str], bytes]:
    client.sendall(request)
    data = b""
    while b"\r\n\r\n" not in data:
        data += client.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    while len(body) < int(headers.get("content-length", "0")):
        body += client.recv(65536)
    return int(lines[0].split()[1]), headers, body


HEALTH = b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n"


def test_a_client_that_never_finishes_its_headers_is_disconnected(guarded: int) -> None:
    """Half a request line, then silence: the connection is closed after the header timeout."""
    with connect(guarded) as client:
        client.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        assert closed_within(client, 8)


def test_an_idle_connection_is_disconnected(guarded: int) -> None:
    """A connection that sends nothing at all is closed too."""
    with connect(guarded) as client:
        assert closed_within(client, 8)


def test_a_body_that_stops_arriving_is_cut_off_and_the_service_goes_on(guarded: int) -> None:
    """An upload whose body stalls is dropped after the body timeout; the next client is
    answered."""
    with connect(guarded) as client:
        client.sendall(
            b"PUT /v1/backup HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n"
            b"content-type: application/octet-stream\r\n\r\n" + b"x" * 10
        )
        assert closed_within(client, 8)
    with connect(guarded) as client:
        assert answer(client, HEALTH)[0] == 200


def test_headers_over_the_cap_are_refused_as_too_large(guarded: int) -> None:
    """More header bytes than max_header_bytes is 413 request_too_large, connection closed."""
    with connect(guarded) as client:
        status, headers, body = answer(
            client, b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-filler: " + b"a" * 8000 + b"\r\n\r\n"
        )
    assert status == 413
    assert json.loads(body)["error"]["code"] == "request_too_large"
    assert headers["connection"] == "close"


def test_a_body_larger_than_the_header_cap_is_not_taken_for_headers(guarded: int) -> None:
    """A request with small headers and a body past max_header_bytes reaches the app."""
    body = b'{"email": "' + b"a" * 20_000 + b'@example.com", "purpose": "enable"}'
    with connect(guarded) as client:
        status, _headers, answered = answer(
            client,
            b"POST /v1/verifications HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"content-length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
        )
    assert status == 422
    assert json.loads(answered)["error"]["code"] == "invalid_request"


def test_connections_beyond_the_limit_are_asked_to_retry(guarded: int) -> None:
    """With max_connections open, one more request is 503 service_unavailable with
    Retry-After."""
    with connect(guarded) as first, connect(guarded) as second:
        assert answer(first, HEALTH)[0] == 200
        assert answer(second, HEALTH)[0] == 200
        with connect(guarded) as third:
            status, headers, body = answer(third, HEALTH)
        assert status == 503
        assert json.loads(body)["error"]["code"] == "service_unavailable"
        assert int(headers["retry-after"]) >= 1
