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

from otpkeep.crypto import escrow
from otpkeep.device.flows.passcode import to_crypto_kdf
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.messages import KdfParams as WireKdfParams

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    import httpx
    from mailsink import MailSink

    from otpkeep.crypto.kdf import KdfParams


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header of a session token."""
    return {"Authorization": f"Bearer {token}"}


def crypto_kdf(wire: dict[str, Any]) -> KdfParams:
    """The wire KDF parameters as the crypto layer's."""
    return to_crypto_kdf(WireKdfParams.model_validate(wire))


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


@dataclass
class Owner:
    """A device with backup on: its session and data key."""

    email: str
    token: str
    account_id: uuid.UUID
    data_key: bytes


def enable(
    client: httpx.Client, lb: Balancer, sink: MailSink, email: str, passcode: str = "2580"
) -> Owner:
    """Verify ``email`` and register ``passcode``: a device ready to upload backups."""
    granted = verify(client, lb, sink, email)
    token, account_id = granted["session_token"], uuid.UUID(granted["account_id"])
    state, blinded = escrow.start(passcode)
    challenge = client.post(
        lb("/v1/passcode/evaluate"),
        json={"blinded_element": b64encode(blinded)},
        headers=bearer(token),
    )
    assert challenge.status_code == 200, challenge.text
    body = challenge.json()
    data_key = escrow.new_data_key()
    registration = escrow.register(
        state,
        b64decode(body["evaluated_element"]),
        account_id=account_id,
        key_version=body["key_version"],
        kdf=crypto_kdf(body["kdf"]),
        data_key=data_key,
        challenge=b64decode(body["challenge"]),
        has_passcode=body["has_passcode"],
    )
    assert registration.possession_key is not None
    registered = client.put(
        lb("/v1/passcode"),
        json={
            "registration_id": body["registration_id"],
            "key_version": body["key_version"],
            "auth_public_key": b64encode(registration.auth_public_key),
            "wrapped_data_key": b64encode(registration.wrapped_data_key),
            "kdf": body["kdf"],
            "possession_key": b64encode(registration.possession_key),
        },
        headers=bearer(token),
    )
    assert registered.status_code == 200, registered.text
    return Owner(email=email, token=token, account_id=account_id, data_key=data_key)


def upload_headers(token: str, version: int | None) -> dict[str, str]:
    """The headers of an upload that replaces ``version`` (None: the first upload)."""
    headers = bearer(token)
    if version is None:
        headers["If-None-Match"] = "*"
    else:
        headers["If-Match"] = f'"{version}"'
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
        kdf=crypto_kdf(answer["kdf"]),
        attempt_id=uuid.UUID(answer["attempt_id"]),
        challenge=b64decode(answer["challenge"]),
    )
    return {"attempt_id": answer["attempt_id"], "signature": b64encode(recovery.signature)}
