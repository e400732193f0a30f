"""Inputs every database and the mail standards accept: anything else is a 422, never a 500."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import escrowkit
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    import httpx

    from service_harness import ServiceHarness


def start(service: ServiceHarness, body: dict[str, str]) -> httpx.Response:
    return service.client.post(
        "/v1/verifications",
        content=json.dumps(body, ensure_ascii=True).encode(),
        headers={"Content-Type": "application/json"},
    )


def refused_fields(answer: httpx.Response) -> list[list[str | int]]:
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == ErrorCode.INVALID_REQUEST
    errors: list[dict[str, Any]] = answer.json()["error"]["details"]["errors"]
    return [error["loc"] for error in errors]


@pytest.mark.parametrize("email", ["0@[\u008f.0", "root@[127.0.0.1]", "a\x00@example.com"])
def test_an_address_that_is_no_mailbox_is_refused_by_name(
    service: ServiceHarness, email: str
) -> None:
    """A domain literal or a control character in the address is refused as invalid_request
    naming the field, and no mail is queued."""
    answer = start(service, {"email": email, "purpose": "enable"})
    assert refused_fields(answer) == [["body", "email"]]
    service.deliver()
    assert service.mailer.messages == []


@pytest.mark.parametrize("name", ["phone\x00", "phone\u0085two", "\ud800"])
def test_a_device_name_with_nul_or_a_control_is_refused(service: ServiceHarness, name: str) -> None:
    """A NUL, a C1 control or a lone surrogate in device_name is refused on every database."""
    answer = start(service, {"email": "a@example.com", "purpose": "enable", "device_name": name})
    assert refused_fields(answer) == [["body", "device_name"]]


def test_an_internationalised_domain_is_mailed_as_its_a_labels(service: ServiceHarness) -> None:
    """An address with a U-label domain gets its code at the domain's A-label form."""
    answer = start(service, {"email": "kim@exämple.de", "purpose": "enable"})
    assert answer.status_code == 202, answer.text
    assert service.code("kim@xn--exmple-cua.de").isdigit()


def test_a_possession_target_with_nul_is_refused(service: ServiceHarness) -> None:
    """A possession challenge's target may not hold a NUL."""
    device = escrowkit.enabled(service, "target@example.com")
    answer = service.client.post(
        "/v1/possession/challenge",
        json={"action": "change_email", "target": "x\x00@example.com"},
        headers=device.headers,
    )
    assert refused_fields(answer) == [["body", "target"]]
