"""Devices, security events and privacy."""

from __future__ import annotations

from typing import TYPE_CHECKING

import escrowkit
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from service_harness import ServiceHarness


def test_devices_are_listed_and_revoked(service: ServiceHarness) -> None:
    """The owner sees each device, revokes one with a possession proof, and its token then
    says it was removed."""
    first = escrowkit.enabled(service, "ari@example.com", name="laptop")
    second = escrowkit.transferred(service, "ari@example.com", name="phone")
    devices = service.client.get("/v1/devices", headers=first.headers).json()["devices"]
    assert [(d["name"], d["current"], d["scope"]) for d in devices] == [
        ("laptop", True, "full"),
        ("phone", False, "full"),
    ]
    phone = devices[1]["id"]
    revoke = service.client.delete(
        f"/v1/devices/{phone}", headers=first.proved("revoke_device", phone)
    )
    assert revoke.status_code == 204
    revoked = service.client.get("/v1/backup", headers=second.headers)
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == ErrorCode.SESSION_ENDED
    assert revoked.json()["error"]["details"]["reason"] == "revoked"
    assert "device_revoked" in service.templates("ari@example.com")
    again = service.client.delete(
        f"/v1/devices/{phone}", headers=first.proved("revoke_device", phone)
    )
    assert again.status_code == 404
    assert again.json()["error"]["code"] == ErrorCode.NOT_FOUND


def test_another_accounts_device_cannot_be_revoked(service: ServiceHarness) -> None:
    """A device id of another account is not_found, and that device keeps working."""
    mine = escrowkit.enabled(service, "bex@example.com")
    theirs = escrowkit.enabled(service, "cid@example.com")
    their_id = service.client.get("/v1/devices", headers=theirs.headers).json()["devices"][0]["id"]
    answer = service.client.delete(
        f"/v1/devices/{their_id}", headers=mine.proved("revoke_device", their_id)
    )
    assert answer.status_code == 404
    assert service.client.get("/v1/backup", headers=theirs.headers).status_code == 200


def test_events_list_what_happened_newest_first(service: ServiceHarness) -> None:
    """Events record backup enabled and failed tries, newest first."""
    owner = escrowkit.enabled(service, "dov@example.com")
    newcomer = escrowkit.device(service, "dov@example.com", "transfer")
    newcomer.recover("0000")
    events = service.client.get("/v1/events", headers=owner.headers).json()["events"]
    kinds = [event["kind"] for event in events]
    assert kinds[0] == "passcode_failed"
    assert events[0]["details"]["tries_left"] == 9
    assert events[0]["details"]["reason"] == "wrong"
    assert "backup_enabled" in kinds


def test_export_holds_everything_about_the_account(service: ServiceHarness) -> None:
    """The export names the address, the escrow by fingerprints, every backup, devices and
    events; it never returns the auth key, the wrapped data key or the possession key."""
    owner = escrowkit.enabled(service, "eda@example.com")
    export = service.client.get("/v1/account/export", headers=owner.headers)
    assert export.status_code == 200
    body = export.json()
    assert body["email"] == "eda@example.com"
    assert body["account_id"] == str(owner.account_id)
    escrow = body["passcode"]
    assert escrow["tries_left"] == 10
    assert {"auth_public_key", "wrapped_data_key", "possession_public_key"}.isdisjoint(escrow)
    for name in ("auth_public_key", "wrapped_data_key", "possession_public_key"):
        assert len(bytes.fromhex(escrow[f"{name}_sha256"])) == 32
    assert [item["version"] for item in body["backups"]] == [1]
    assert body["backups"][0]["data"]
    assert len(body["devices"]) == 1
    assert body["events"]


def test_delete_account_removes_everything(service: ServiceHarness) -> None:
    """After DELETE /v1/account the token is dead and the address is unknown again."""
    owner = escrowkit.enabled(service, "flo@example.com")
    without_proof = service.client.delete("/v1/account", headers=owner.headers)
    assert without_proof.status_code == 403
    deleted = service.client.delete("/v1/account", headers=owner.proved("delete_account"))
    assert deleted.status_code == 204
    assert service.client.get("/v1/backup", headers=owner.headers).status_code == 401
    assert "account_deleted" in service.templates("flo@example.com")
    fresh = service.verify("flo@example.com", "transfer")
    assert fresh["has_passcode"] is False
    assert fresh["account_id"] != str(owner.account_id)


def test_account_endpoints_need_a_full_session(service: ServiceHarness) -> None:
    """A recovery session cannot list devices, events or export."""
    escrowkit.enabled(service, "gwen@example.com")
    recovering = escrowkit.device(service, "gwen@example.com", "transfer")
    for path in ("/v1/devices", "/v1/events", "/v1/account/export"):
        answer = service.client.get(path, headers=recovering.headers)
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE
