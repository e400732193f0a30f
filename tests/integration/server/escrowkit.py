"""The device's side of the passcode protocol, driven over a test service's client."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from otpkeep.crypto import escrow
from otpkeep.device.flows.passcode import to_crypto_kdf
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.messages import KdfParams as WireKdfParams

if TYPE_CHECKING:
    from otpkeep.crypto.kdf import KdfParams


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header of a session token."""
    return {"Authorization": f"Bearer {token}"}


def crypto_kdf(wire: dict[str, Any]) -> KdfParams:
    """The wire KDF parameters as the crypto layer's."""
    return to_crypto_kdf(WireKdfParams.model_validate(wire))


@dataclass
class Device:
    """A device holding a session, and the data key once it has one."""

    client: Any
    token: str
    account_id: uuid.UUID
    data_key: bytes | None = None

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)

    def set_passcode(self, passcode: str, *, proof: bytes | None = None) -> Any:
        """Register ``passcode`` (first time or change); the answer of ``PUT /v1/passcode``."""
        state, blinded = escrow.start(passcode)
        challenge = self.client.post(
            "/v1/passcode/evaluate",
            json={"blinded_element": b64encode(blinded)},
            headers=self.headers,
        )
        assert challenge.status_code == 200, challenge.text
        body = challenge.json()
        if self.data_key is None:
            self.data_key = escrow.new_data_key()
        kdf = crypto_kdf(body["kdf"])
        registration = escrow.register(
            state,
            b64decode(body["evaluated_element"]),
            account_id=self.account_id,
            key_version=body["key_version"],
            kdf=kdf,
            data_key=self.data_key,
            challenge=b64decode(body["challenge"]),
            has_passcode=body["has_passcode"],
        )
        payload: dict[str, Any] = {
            "registration_id": body["registration_id"],
            "key_version": body["key_version"],
            "auth_public_key": b64encode(registration.auth_public_key),
            "wrapped_data_key": b64encode(registration.wrapped_data_key),
            "kdf": body["kdf"],
        }
        if registration.possession_key is not None:
            payload["possession_key"] = b64encode(registration.possession_key)
        if registration.possession_proof is not None or proof is not None:
            payload["possession_proof"] = b64encode(
                proof if proof is not None else registration.possession_proof or b""
            )
        return self.client.put("/v1/passcode", json=payload, headers=self.headers)

    def evaluate(self, passcode: str) -> tuple[Any, escrow.PasscodeState]:
        """``POST /v1/recovery/evaluate`` for ``passcode``: the answer and the device state."""
        state, blinded = escrow.start(passcode)
        answer = self.client.post(
            "/v1/recovery/evaluate",
            json={"blinded_element": b64encode(blinded)},
            headers=self.headers,
        )
        return answer, state

    def prove(self, state: escrow.PasscodeState, challenge: dict[str, Any]) -> tuple[Any, Any]:
        """``POST /v1/recovery/proof`` for an evaluation: the answer and the Recovery."""
        recovery = escrow.recover(
            state,
            b64decode(challenge["evaluated_element"]),
            account_id=self.account_id,
            key_version=challenge["key_version"],
            kdf=crypto_kdf(challenge["kdf"]),
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

    def recover(self, passcode: str) -> Any:
        """Evaluate and prove ``passcode``; the proof's answer (data key kept when right)."""
        answer, state = self.evaluate(passcode)
        assert answer.status_code == 200, answer.text
        proof, recovery = self.prove(state, answer.json())
        if proof.status_code == 200:
            self.data_key = recovery.unwrap(b64decode(proof.json()["wrapped_data_key"]))
        return proof

    def upload(self, data: bytes, *, if_match: int | None) -> Any:
        """``PUT /v1/backup`` with the precondition of ``if_match`` (None: the first)."""
        headers = dict(self.headers)
        if if_match is None:
            headers["If-None-Match"] = "*"
        else:
            headers["If-Match"] = f'"{if_match}"'
        return self.client.put("/v1/backup", content=data, headers=headers)


def device(service: Any, email: str, purpose: str = "enable", name: str = "test device") -> Device:
    """A device verified for ``purpose`` on ``service``."""
    granted = service.verify(email, purpose, device_name=name)
    return Device(
        client=service.client,
        token=granted["session_token"],
        account_id=uuid.UUID(granted["account_id"]),
    )


def enabled(service: Any, email: str, passcode: str = "2580", name: str = "first device") -> Device:
    """A device with backup on: verified, passcode set, first backup uploaded."""
    first = device(service, email, name=name)
    registered = first.set_passcode(passcode)
    assert registered.status_code == 200, registered.text
    assert first.data_key is not None
    sealed = escrow.seal_backup(first.data_key, b"accounts v1", account_id=first.account_id)
    stored = first.upload(sealed, if_match=None)
    assert stored.status_code == 200, stored.text
    return first
