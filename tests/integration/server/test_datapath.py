"""The data path (uploads and downloads) keeps every check of sign-in: scope, expiry, ended
sessions, and the once-a-minute record of use."""

from __future__ import annotations

from typing import TYPE_CHECKING

import escrowkit
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from escrowkit import Device
    from service_harness import ServiceHarness


def last_seen(service: ServiceHarness, device: Device) -> str:
    devices = service.client.get("/v1/devices", headers=device.headers).json()["devices"]
    seen: str = next(entry["last_seen_at"] for entry in devices if entry["current"])
    return seen


def test_use_is_recorded_at_most_once_a_minute(service: ServiceHarness) -> None:
    """An upload or download half a minute after the last record changes nothing; one more
    than a minute after it records the new time."""
    device = escrowkit.enabled(service, "seen@example.com")
    service.clock.advance(61)
    assert device.upload(device.seal(b"v2", 2), if_match=1).status_code == 200
    first = last_seen(service, device)
    service.clock.advance(30)
    assert service.client.get("/v1/backup", headers=device.headers).status_code == 200
    assert device.upload(device.seal(b"v3", 3), if_match=2).status_code == 200
    assert last_seen(service, device) == first
    service.clock.advance(31)
    assert service.client.get("/v1/backup", headers=device.headers).status_code == 200
    assert last_seen(service, device) > first


def test_an_idle_session_can_neither_upload_nor_download(service: ServiceHarness) -> None:
    """A full session unused for longer than its idle limit is session_expired on both."""
    device = escrowkit.enabled(service, "idle@example.com")
    service.clock.advance(service.settings.session_idle_days * 86400 + 1)
    upload = device.upload(device.seal(b"v2", 2), if_match=1)
    download = service.client.get("/v1/backup", headers=device.headers)
    for answer in (upload, download):
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == ErrorCode.SESSION_EXPIRED


def test_a_revoked_device_is_told_why_on_the_data_path(service: ServiceHarness) -> None:
    """A device revoked by another gets session_ended with the reason, and stores nothing."""
    first = escrowkit.enabled(service, "revoked@example.com")
    second = escrowkit.transferred(service, "revoked@example.com")
    revoked = service.client.delete(
        f"/v1/devices/{first.session_id}",
        headers=second.proved("revoke_device", first.session_id),
    )
    assert revoked.status_code == 204, revoked.text
    for answer in (
        first.upload(first.seal(b"v2", 2), if_match=1),
        service.client.get("/v1/backup/versions/1", headers=first.headers),
    ):
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == ErrorCode.SESSION_ENDED
        assert answer.json()["error"]["details"]["reason"] == "revoked"
    newest = service.client.get("/v1/backup", headers=second.headers)
    assert newest.headers["etag"] == '"1"'


def test_a_mailbox_session_cannot_use_the_data_path(service: ServiceHarness) -> None:
    """A setup or recovery session may neither upload nor download: session_scope."""
    setup = escrowkit.device(service, "mailbox@example.com")
    escrowkit.enabled(service, "owner@example.com")
    recovery = escrowkit.device(service, "owner@example.com", "transfer")
    for device in (setup, recovery):
        answers = (
            service.client.put(
                "/v1/backup", content=b"x", headers={**device.headers, "If-None-Match": "*"}
            ),
            service.client.get("/v1/backup", headers=device.headers),
        )
        for answer in answers:
            assert answer.status_code == 403, answer.text
            assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE
