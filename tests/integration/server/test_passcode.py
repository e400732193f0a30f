"""Setting the first passcode (setup session) and changing it (full session, data key)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import escrowkit
from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    import httpx

    from service_harness import ServiceHarness


def test_first_passcode_turns_backup_on(service: ServiceHarness) -> None:
    """The first registration answers key version 1 with every try, and mails backup_enabled."""
    device = escrowkit.device(service, "ann@example.com")
    setup_token = device.token
    answer = device.set_passcode("2580")
    assert answer.status_code == 200
    body = answer.json()
    assert (body["key_version"], body["tries_left"], body["session"]["scope"]) == (1, 10, "full")
    assert device.token != setup_token
    assert "backup_enabled" in service.templates("ann@example.com")
    replaced = service.client.get("/v1/backup/versions", headers=escrowkit.bearer(setup_token))
    assert replaced.json()["error"]["details"]["reason"] == "replaced"
    assert service.client.get("/v1/backup/versions", headers=device.headers).status_code == 200
    again = service.verify("ann@example.com", "enable")
    assert again["has_passcode"] is True


def test_change_with_possession_proof_uses_a_new_key_version(service: ServiceHarness) -> None:
    """A device holding the data key changes the passcode; the old one stops working."""
    device = escrowkit.enabled(service, "ben@example.com", passcode="2580")
    changed = device.set_passcode("147036")
    assert changed.status_code == 200
    assert changed.json()["key_version"] == 2
    assert "passcode_changed" in service.templates("ben@example.com")
    newcomer = escrowkit.device(service, "ben@example.com", "transfer")
    assert newcomer.recover("2580").status_code == 403
    assert newcomer.recover("147036").status_code == 200
    assert newcomer.data_key == device.data_key


def test_change_without_the_data_key_is_refused(service: ServiceHarness) -> None:
    """A full session signing with another data key gets no evaluation at all."""
    owner = escrowkit.enabled(service, "cat@example.com")
    thief = escrowkit.Device(service.client, owner.token, owner.account_id)
    proof = thief.possession("register", data_key=escrow.new_data_key())
    answer, _state = thief.registration_evaluate("0000", proof=proof)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.POSSESSION_PROOF_INVALID


def test_change_with_no_proof_at_all_is_refused(service: ServiceHarness) -> None:
    """A change that sends no possession proof is refused before any evaluation."""
    device = escrowkit.enabled(service, "dee@example.com")
    answer, _state = device.registration_evaluate("9999")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.POSSESSION_PROOF_INVALID
    assert "evaluated_element" not in answer.text


def test_first_registration_needs_the_possession_key(service: ServiceHarness) -> None:
    """A first registration without a possession public key is invalid_request."""
    device = escrowkit.device(service, "eve@example.com")
    _state, blinded = escrow.start("2468")
    body = service.client.post(
        "/v1/passcode/evaluate",
        json={"blinded_element": b64encode(blinded)},
        headers=device.headers,
    ).json()
    assert body["has_passcode"] is False
    answer = service.client.put(
        "/v1/passcode",
        json={
            "registration_id": body["registration_id"],
            "key_version": body["key_version"],
            "auth_public_key": b64encode(bytes(32)),
            "wrapped_data_key": b64encode(bytes(60)),
            "kdf": body["kdf"],
            "signature": b64encode(bytes(64)),
        },
        headers=device.headers,
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == ErrorCode.INVALID_REQUEST


class Relay:
    """A device's client that passes every request on; a test steps in by overriding one."""

    def __init__(self, inner: escrowkit.Client) -> None:
        self.inner = inner

    def get(self, url: str, /, **options: Any) -> httpx.Response:
        return self.inner.get(url, **options)

    def post(self, url: str, /, **options: Any) -> httpx.Response:
        return self.inner.post(url, **options)

    def put(self, url: str, /, **options: Any) -> httpx.Response:
        return self.inner.put(url, **options)

    def delete(self, url: str, /, **options: Any) -> httpx.Response:
        return self.inner.delete(url, **options)


def test_registration_expires_after_five_minutes(service: ServiceHarness) -> None:
    """A registration finished after its challenge expired is registration_expired."""
    device = escrowkit.device(service, "fin@example.com")

    class LateClient(Relay):
        def put(self, url: str, /, **options: Any) -> httpx.Response:
            service.clock.advance(301)
            return super().put(url, **options)

    device.client = LateClient(device.client)
    answer = device.set_passcode("2580")
    assert answer.status_code == 410
    assert answer.json()["error"]["code"] == ErrorCode.REGISTRATION_EXPIRED


def test_concurrent_registrations_conflict(service: ServiceHarness) -> None:
    """Of two registrations started together, the one finished second is key_version_conflict."""
    device = escrowkit.enabled(service, "gil@example.com")
    late: list[bool] = []

    class InterleavingClient(Relay):
        def put(self, url: str, /, **options: Any) -> httpx.Response:
            if not late:
                late.append(True)
                other = escrowkit.transferred(service, "gil@example.com")
                assert other.set_passcode("8642").status_code == 200
            return super().put(url, **options)

    device.client = InterleavingClient(device.client)
    answer = device.set_passcode("1357")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == ErrorCode.KEY_VERSION_CONFLICT


def test_invalid_blinded_element_is_invalid_request(service: ServiceHarness) -> None:
    """A blinded element that is not a group element is refused with 422."""
    device = escrowkit.device(service, "hal@example.com")
    answer = service.client.post(
        "/v1/passcode/evaluate",
        json={"blinded_element": b64encode(b"\xff" * 32)},
        headers=device.headers,
    )
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == ErrorCode.INVALID_REQUEST


def test_passcode_endpoints_need_a_full_session(service: ServiceHarness) -> None:
    """Without a token the passcode endpoints are unauthorized; a recovery session is refused."""
    no_token = service.client.post("/v1/passcode/evaluate", json={"blinded_element": "AA"})
    assert no_token.status_code == 401
    bad_token = service.client.post(
        "/v1/passcode/evaluate", json={"blinded_element": "AA"}, headers=escrowkit.bearer("x" * 43)
    )
    assert bad_token.status_code == 401
    escrowkit.enabled(service, "ida@example.com")
    recovering = escrowkit.device(service, "ida@example.com", "transfer")
    _state, blinded = escrow.start("2580")
    answer = service.client.post(
        "/v1/passcode/evaluate",
        json={"blinded_element": b64encode(blinded)},
        headers=recovering.headers,
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE
