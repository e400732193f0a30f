"""The device side of the API, spoken over HTTP to a list of service processes.

Requests are spread over the processes the way a round-robin load balancer would; the
crypto is the real device code (:mod:`otpkeep.crypto.escrow`), with the small KDF
parameters the test services hand out.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from escrowkit import Device, bearer
from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.kdf import kdf_from_wire

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import httpx
    from mailsink import MailSink

Owner = Device
"""A device with backup on: its session and data key (the protocol is in escrowkit)."""

__all__ = ["Balancer", "Owner", "bearer", "enable", "proof_payload", "upload_headers", "verify"]


@dataclass
class Balancer:
    """Round-robin over the base URLs of the service processes."""

    urls: Sequence[str]
    _turn: Iterator[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._turn = itertools.cycle(range(len(self.urls)))

    def __call__(self, path: str) -> str:
        """The URL of ``path`` on the next process."""
        return f"{self.urls[next(self._turn)]}{path}"


def verify(
    client: httpx.Client, lb: Balancer, sink: MailSink, email: str, purpose: str = "enable"
) -> dict[str, Any]:
    """Verify ``email`` for ``purpose`` (code from the mail sink); the session granted."""
    seen = sink.templates(email).count("verification_code")
    started = client.post(
        lb("/v1/verifications"),
        json={"email": email, "purpose": purpose, "device_name": "scale test"},
    )
    assert started.status_code == 202, started.text
    code = sink.wait_code(email, after=seen)
    confirmed = client.post(
        lb(f"/v1/verifications/{started.json()['verification_id']}/confirm"),
        json={"code": code},
    )
    assert confirmed.status_code == 200, confirmed.text
    granted: dict[str, Any] = confirmed.json()
    return granted


class BalancedClient:
    """The few methods escrowkit's Device calls, each request sent to the next process."""

    def __init__(self, client: httpx.Client, lb: Balancer) -> None:
        self.client = client
        self.lb = lb

    def get(self, path: str, **options: Any) -> httpx.Response:
        return self.client.get(self.lb(path), **options)

    def post(self, path: str, **options: Any) -> httpx.Response:
        return self.client.post(self.lb(path), **options)

    def put(self, path: str, **options: Any) -> httpx.Response:
        return self.client.put(self.lb(path), **options)

    def delete(self, path: str, **options: Any) -> httpx.Response:
        return self.client.delete(self.lb(path), **options)


def enable(
    client: httpx.Client, lb: Balancer, sink: MailSink, email: str, passcode: str = "2580"
) -> Owner:
    """Verify ``email`` and register ``passcode``: a device ready to upload backups."""
    granted = verify(client, lb, sink, email)
    owner = Device(
        BalancedClient(client, lb), granted["session_token"], uuid.UUID(granted["account_id"])
    )
    registered = owner.set_passcode(passcode)
    assert registered.status_code == 200, registered.text
    return owner


def upload_headers(owner: Owner, version: int | None, body: bytes) -> dict[str, str]:
    """The headers of a signed upload of ``body`` that replaces ``version`` (None: the first)."""
    assert owner.data_key is not None
    headers = bearer(owner.token)
    if version is None:
        headers["If-None-Match"] = "*"
    else:
        headers["If-Match"] = f'"{version}"'
    signature = escrow.sign_upload(
        owner.data_key, account_id=owner.account_id, version=(version or 0) + 1, body=body
    )
    headers["Otpkeep-Signature"] = b64encode(signature)
    return headers


def proof_payload(
    state: escrow.PasscodeState, answer: dict[str, Any], account_id: uuid.UUID
) -> dict[str, str]:
    """The body of ``POST /v1/recovery/proof`` for an evaluation's answer."""
    recovery = escrow.recover(
        state,
        b64decode(answer["evaluated_element"]),
        account_id=account_id,
        key_version=answer["key_version"],
        kdf=kdf_from_wire(answer["kdf"]),
        attempt_id=uuid.UUID(answer["attempt_id"]),
        challenge=b64decode(answer["challenge"]),
    )
    return {"attempt_id": answer["attempt_id"], "signature": b64encode(recovery.signature)}
