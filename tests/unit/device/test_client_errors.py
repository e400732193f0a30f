"""The HTTP client: answers parsed, refusals mapped to codes, outages in one sentence."""

import uuid
from collections.abc import Callable

import httpx
import pytest

from otpkeep.device.client import ServiceClient
from otpkeep.errors import InvalidInputError, ProtocolError, ServiceRefusal, ServiceUnavailableError
from otpkeep.protocol.encoding import b64decode
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import Purpose


def client_for(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float] | None = None
) -> ServiceClient:
    http = httpx.Client(base_url="https://svc.test", transport=httpx.MockTransport(handler))
    return ServiceClient(http, token="tok", sleep=(sleeps if sleeps is not None else []).append)


def error(
    code: ErrorCode, headers: dict[str, str] | None = None, **details: object
) -> httpx.Response:
    body = {"error": {"code": code.value, "message": "service words", "details": details}}
    return httpx.Response(code.status, json=body, headers=headers)


def test_refusal_maps_to_api_error_with_our_sentence() -> None:
    """The stable code, the status, Retry-After and details arrive; the service's words do not."""
    client = client_for(lambda _: error(ErrorCode.RECOVERY_WAIT, {"Retry-After": "30"}))
    with pytest.raises(ServiceRefusal) as info:
        client.recovery_evaluate(b"x" * 32)
    assert info.value.code == ErrorCode.RECOVERY_WAIT
    assert info.value.status == 429
    assert info.value.retry_after == 30.0
    assert "service words" not in str(info.value)


def test_details_carry_tries_left() -> None:
    """A wrong passcode's tries left come through the details."""
    client = client_for(lambda _: error(ErrorCode.PASSCODE_INCORRECT, tries_left=7))
    with pytest.raises(ServiceRefusal) as info:
        client.recovery_proof(uuid.uuid4(), b"s")
    assert info.value.details["tries_left"] == 7


def test_session_token_and_conditions_are_sent() -> None:
    """Calls carry the bearer token; uploads carry If-Match or If-None-Match and the signature."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, json={"version": 4, "size": 3, "created_at": "2026-01-01T00:00:00Z"}
        )

    client = client_for(handler)
    assert client.put_backup(b"abc", if_match=3, signature=b"\x01" * 64).version == 4
    client.put_backup(b"abc", if_match=None, signature=b"\x02" * 64)
    assert seen[0].headers["Authorization"] == "Bearer tok"
    assert seen[0].headers["If-Match"] == '"3"'
    assert seen[1].headers["If-None-Match"] == "*"
    assert seen[0].content == b"abc"
    assert b64decode(seen[0].headers["Otpkeep-Signature"]) == b"\x01" * 64


def test_download_reads_the_version_from_the_etag() -> None:
    """The backup's version is its ETag."""
    client = client_for(lambda _: httpx.Response(200, content=b"sealed", headers={"ETag": '"9"'}))
    assert client.get_backup() == (9, b"sealed")


def test_unreachable_service_is_one_sentence_after_retries_of_reads() -> None:
    """A read is retried, then an outage is reported naming the address; a write is not."""
    calls: list[str] = []
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectError("refused", request=request)

    client = client_for(handler, sleeps)
    with pytest.raises(
        ServiceUnavailableError, match=r"Cannot reach the backup service at https://svc\.test"
    ):
        client.backup_versions()
    assert calls == ["GET", "GET", "GET"]
    assert len(sleeps) == 2
    calls.clear()
    with pytest.raises(ServiceUnavailableError):
        client.put_backup(b"x", if_match=1, signature=bytes(64))
    assert calls == ["PUT"]


def test_server_errors_and_junk_are_translated() -> None:
    """A 500 is an outage; a 200 that is not the message is a protocol error."""
    with pytest.raises(ServiceUnavailableError, match="HTTP 500"):
        client_for(lambda _: httpx.Response(500, text="boom")).devices()
    with pytest.raises(ProtocolError):
        client_for(lambda _: httpx.Response(200, json={"nope": 1})).devices()


def test_malformed_input_is_refused_before_sending() -> None:
    """A bad email or a code that is not six digits never reaches the service."""
    client = client_for(lambda _: pytest.fail("nothing should be sent"))
    with pytest.raises(InvalidInputError, match="email"):
        client.start_verification("not-an-email", Purpose.ENABLE)
    with pytest.raises(InvalidInputError, match="6 digits"):
        client.confirm_session(uuid.uuid4(), "12ab")
