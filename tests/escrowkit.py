"""The device's side of the passcode protocol, driven over a test service's client.

A :class:`Device` holds a session and, once it has one, the data key; its methods speak
the HTTP API as the real device does (docs/protocol.md), so tests can also step off
the path on purpose (a wrong passcode, a missing proof, a replayed challenge).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.kdf import kdf_from_wire

if TYPE_CHECKING:
    import httpx

    from service_harness import ServiceHarness


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header of a session token."""
    return {"Authorization": f"Bearer {token}"}


class Client(Protocol):
    """The requests a :class:`Device` and its tests make: an ``httpx.Client``, a
    ``TestClient``, or a client that spreads them over several service processes
    (tests/scale)."""

    def get(self, url: str, /, *, headers: dict[str, str] | None = None) -> httpx.Response: ...

    def delete(self, url: str, /, *, headers: dict[str, str] | None = None) -> httpx.Response: ...

    def post(
        self, url: str, /, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> httpx.Response: ...

    def put(
        self,
        url: str,
        /,
        *,
        content: bytes | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response: ...


@dataclass
class Device:
    """A device holding a session, and the data key once it has one."""

    client: Client
    token: str
    account_id: uuid.UUID
    data_key: bytes | None = None
    session_id: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    def adopt(self, session: dict[str, Any]) -> None:
        """Use the session the service gave in place of this one."""
        self.token = session["session_token"]
        self.session_id = session["session_id"]

    def possession(self, action: str, target: str = "", *, data_key: bytes | None = None) -> str:
        """A fresh ``Otpkeep-Possession`` value for ``action`` on ``target``."""
        key = data_key or self.data_key
        assert key is not None, "this device holds no data key"
        answer = self.client.post(
            "/v1/possession/challenge",
            json={"action": action, "target": target},
            headers=self.headers,
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        signature = escrow.prove_possession(
            key,
            account_id=self.account_id,
            challenge_id=uuid.UUID(body["challenge_id"]),
            challenge=b64decode(body["challenge"]),
            action=action,
            target=target,
        )
        return f"{body['challenge_id']}.{b64encode(signature)}"

    def proved(self, action: str, target: str = "") -> dict[str, str]:
        """The headers of a request that needs a possession proof."""
        return {**self.headers, "Otpkeep-Possession": self.possession(action, target)}

    def registration_evaluate(
        self, passcode: str, *, proof: str | None = None
    ) -> tuple[httpx.Response, escrow.PasscodeState]:
        """``POST /v1/passcode/evaluate``: the answer, and the device's OPRF state."""
        state, blinded = escrow.start(passcode)
        headers = dict(self.headers)
        if proof is not None:
            headers["Otpkeep-Possession"] = proof
        answer = self.client.post(
            "/v1/passcode/evaluate",
            json={"blinded_element": b64encode(blinded)},
            headers=headers,
        )
        return answer, state

    def set_passcode(self, passcode: str, *, renewal: bool = False) -> httpx.Response:
        """Register ``passcode`` (first time or change); the answer of ``PUT /v1/passcode``.

        A change proves possession of the data key before the evaluation, as the device does.
        """
        first = self.data_key is None
        data_key = escrow.new_data_key() if self.data_key is None else self.data_key
        self.data_key = data_key
        proof = None if first else self.possession("register")
        challenge, state = self.registration_evaluate(passcode, proof=proof)
        assert challenge.status_code == 200, challenge.text
        body = challenge.json()
        kdf = kdf_from_wire(body["kdf"])
        registration = escrow.register(
            state,
            b64decode(body["evaluated_element"]),
            account_id=self.account_id,
            registration_id=uuid.UUID(body["registration_id"]),
            key_version=body["key_version"],
            kdf=kdf,
            data_key=data_key,
            challenge=b64decode(body["challenge"]),
        )
        payload: dict[str, Any] = {
            "registration_id": body["registration_id"],
            "key_version": body["key_version"],
            "auth_public_key": b64encode(registration.auth_public_key),
            "wrapped_data_key": b64encode(registration.wrapped_data_key),
            "kdf": body["kdf"],
            "signature": b64encode(registration.signature),
            "renewal": renewal,
        }
        if not body["has_passcode"]:
            payload["possession_public_key"] = b64encode(registration.possession_public_key)
        answer = self.client.put("/v1/passcode", json=payload, headers=self.headers)
        if answer.status_code == 200:
            self.adopt(answer.json()["session"])
        return answer

    def evaluate(self, passcode: str) -> tuple[httpx.Response, escrow.PasscodeState]:
        """``POST /v1/recovery/evaluate`` for ``passcode``: the answer and the device state."""
        state, blinded = escrow.start(passcode)
        answer = self.client.post(
            "/v1/recovery/evaluate",
            json={"blinded_element": b64encode(blinded)},
            headers=self.headers,
        )
        return answer, state

    def prove(
        self, state: escrow.PasscodeState, challenge: dict[str, Any]
    ) -> tuple[httpx.Response, escrow.Recovery]:
        """``POST /v1/recovery/proof`` for an evaluation: the answer and the Recovery."""
        recovery = escrow.recover(
            state,
            b64decode(challenge["evaluated_element"]),
            account_id=self.account_id,
            key_version=challenge["key_version"],
            kdf=kdf_from_wire(challenge["kdf"]),
            attempt_id=uuid.UUID(challenge["attempt_id"]),
            challenge=b64decode(challenge["challenge"]),
        )
        answer = self.client.post(
            "/v1/recovery/proof",
            json={
                "attempt_id": challenge["attempt_id"],
                "signature": b64encode(recovery.signature),
            },
            headers=self.headers,
        )
        return answer, recovery

    def recover(self, passcode: str) -> httpx.Response:
        """Evaluate and prove ``passcode``; the proof's answer (data key kept when right)."""
        answer, state = self.evaluate(passcode)
        assert answer.status_code == 200, answer.text
        proof, recovery = self.prove(state, answer.json())
        if proof.status_code == 200:
            granted = proof.json()
            self.data_key = recovery.unwrap(b64decode(granted["wrapped_data_key"]))
            self.adopt(granted["session"])
        return proof

    def seal(self, plaintext: bytes, version: int) -> bytes:
        """``plaintext`` sealed as backup version ``version`` of this account."""
        assert self.data_key is not None
        return escrow.seal_backup(
            self.data_key, plaintext, account_id=self.account_id, version=version
        )

    def upload(
        self, data: bytes, *, if_match: int | None, signature: bytes | None = None
    ) -> httpx.Response:
        """``PUT /v1/backup`` over ``if_match`` (None: the first), signed by the data key."""
        headers = dict(self.headers)
        if if_match is None:
            headers["If-None-Match"] = "*"
        else:
            headers["If-Match"] = f'"{if_match}"'
        if signature is None and self.data_key is not None:
            signature = escrow.sign_upload(
                self.data_key, account_id=self.account_id, version=(if_match or 0) + 1, body=data
            )
        if signature is not None:
            headers["Otpkeep-Signature"] = b64encode(signature)
        return self.client.put("/v1/backup", content=data, headers=headers)


def device(
    service: ServiceHarness, email: str, purpose: str = "enable", name: str = "test device"
) -> Device:
    """A device whose email is verified on ``service``: a setup or recovery session."""
    granted = service.verify(email, purpose, device_name=name)
    return Device(
        client=service.client,
        token=granted["session_token"],
        account_id=uuid.UUID(granted["account_id"]),
        session_id=granted["session_id"],
    )


def enabled(
    service: ServiceHarness, email: str, passcode: str = "2580", name: str = "first device"
) -> Device:
    """A device with backup on: verified, passcode set, first backup uploaded."""
    first = device(service, email, name=name)
    registered = first.set_passcode(passcode)
    assert registered.status_code == 200, registered.text
    stored = first.upload(first.seal(b"accounts v1", 1), if_match=None)
    assert stored.status_code == 200, stored.text
    return first


def transferred(
    service: ServiceHarness, email: str, passcode: str = "2580", name: str = "new device"
) -> Device:
    """A second device that transferred the backup with ``passcode`` (a full session)."""
    second = device(service, email, "transfer", name=name)
    granted = second.recover(passcode)
    assert granted.status_code == 200, granted.text
    return second
