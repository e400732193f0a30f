"""What the wire carries: group elements checked to the last bit, bodies bounded before parsing.

Before: non-canonical ristretto255 encodings were accepted (libsodium 1.0.18 ignores the
top bit of the last byte: 205 of 6,005 encodings tried), and an unauthenticated JSON body
of 100 MiB was read and parsed before the 422 (5 s of CPU, 114 → 422 MB of memory).
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from collections.abc import Iterator

    from conftest import Target

EMAIL = "owner@example.com"
VECTORS = json.loads(
    (Path(__file__).resolve().parents[1] / "vectors" / "rfc9496-ristretto255.json").read_text()
)
INVALID = [bytes.fromhex(item["encoding"]) for item in VECTORS["invalid"]]
TOP_BIT = [
    bytes.fromhex(encoding)[:31] + bytes((bytes.fromhex(encoding)[31] | 0x80,))
    for encoding in VECTORS["multiples"][1:]
]
IDENTITY = bytes(32)


def test_no_invalid_encoding_is_evaluated_nor_costs_a_try(target: Target) -> None:
    """Each RFC 9496 invalid encoding, the identity, and each valid element spelt with the top
    bit set, sent as a blinded passcode: refused as invalid_request, and no try is taken."""
    owner = target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL)
    for element in [*INVALID, IDENTITY, *TOP_BIT]:
        answer = attacker.client.post(
            "/v1/recovery/evaluate",
            json={"blinded_element": b64encode(element)},
            headers=attacker.headers,
        )
        assert answer.status_code == 422, element.hex()
        assert answer.json()["error"]["code"] == ErrorCode.INVALID_REQUEST
    assert target.escrow(owner.account_id).tries_left == 10


def test_the_registration_refuses_invalid_encodings_too(target: Target) -> None:
    """A setup session offering a top-bit spelling to the registration gets no evaluation."""
    device = target.mailbox_device("new@example.com", "enable")
    for element in [TOP_BIT[0], INVALID[0], IDENTITY]:
        answer = device.client.post(
            "/v1/passcode/evaluate",
            json={"blinded_element": b64encode(element)},
            headers=device.headers,
        )
        assert answer.status_code == 422


def _raw(url: str, head: str, body: bytes = b"") -> tuple[int, dict[str, Any]]:
    """Send a request as written, over a socket; the status and the JSON of the answer."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return response.status, json.loads(response.read())


@pytest.mark.parametrize(
    "path", ["/v1/verifications", "/v1/recovery/evaluate", "/v1/passcode/evaluate"]
)
def test_a_huge_declared_body_is_refused_before_it_is_read(target: Target, path: str) -> None:
    """A body declared as 100 MiB is answered 413 at once, before any of it is read."""
    started = time.perf_counter()
    status, body = _raw(
        target.url,
        f"POST {path} HTTP/1.1\nHost: localhost\nContent-Type: application/json\n"
        f"Content-Length: {100 * 1024 * 1024}\n",
        b"{",
    )
    assert status == 413
    assert body["error"]["code"] == ErrorCode.REQUEST_TOO_LARGE
    assert time.perf_counter() - started < 5


def test_a_streamed_body_is_cut_off_at_the_limit(target: Target) -> None:
    """A body sent in chunks without a length is cut off once it passes the limit."""
    http = target.client()

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b" " * 65536

    answer = http.post(
        "/v1/verifications", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == ErrorCode.REQUEST_TOO_LARGE


def test_a_backup_over_its_limit_is_refused_before_it_is_stored(target: Target) -> None:
    """An upload declared larger than the backup limit is backup_too_large, unread."""
    owner = target.owner(EMAIL)
    status, body = _raw(
        target.url,
        f"PUT /v1/backup HTTP/1.1\nHost: localhost\nAuthorization: Bearer {owner.token}\n"
        f'If-Match: "1"\nContent-Length: {target.harness.settings.max_backup_bytes + 1}\n',
        b"x",
    )
    assert status == 413
    assert body["error"]["code"] == ErrorCode.BACKUP_TOO_LARGE
