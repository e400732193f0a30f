"""Backups: uploads with preconditions, versions, limits and deletion."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import escrowkit
from otpkeep.crypto import escrow
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from service_harness import ServiceHarness


def test_upload_then_download_the_latest(service: ServiceHarness) -> None:
    """An upload is version 1 with an ETag; the download returns the same octets."""
    device = escrowkit.enabled(service, "al@example.com")
    latest = service.client.get("/v1/backup", headers=device.headers)
    assert latest.status_code == 200
    assert latest.headers["ETag"] == '"1"'
    assert latest.headers["content-type"] == "application/octet-stream"
    stored = device.upload(b"v2", if_match=1)
    assert stored.status_code == 200
    assert stored.json()["version"] == 2
    assert stored.json()["size"] == 2
    assert stored.headers["ETag"] == '"2"'
    assert service.client.get("/v1/backup", headers=device.headers).content == b"v2"


def test_stale_upload_is_a_conflict_with_the_current_version(service: ServiceHarness) -> None:
    """An upload that names an old version is 412 backup_conflict, and nothing is overwritten."""
    device = escrowkit.enabled(service, "bo@example.com")
    assert device.upload(b"v2", if_match=1).status_code == 200
    stale = device.upload(b"stale", if_match=1)
    assert stale.status_code == 412
    assert stale.json()["error"]["code"] == ErrorCode.BACKUP_CONFLICT
    assert stale.json()["error"]["details"] == {"current_version": 2}
    first_again = device.upload(b"first", if_match=None)
    assert first_again.status_code == 412
    assert service.client.get("/v1/backup", headers=device.headers).content == b"v2"


def test_upload_without_precondition_is_428(service: ServiceHarness) -> None:
    """An upload without If-Match or If-None-Match is precondition_required."""
    device = escrowkit.enabled(service, "cy@example.com")
    answer = service.client.put("/v1/backup", content=b"x", headers=device.headers)
    assert answer.status_code == 428
    assert answer.json()["error"]["code"] == ErrorCode.PRECONDITION_REQUIRED


@pytest.mark.parametrize("value", [b'"one"', b'"\xb2"'])
def test_malformed_if_match_is_invalid_request(service: ServiceHarness, value: bytes) -> None:
    """An If-Match that is not an ASCII version number (not even a superscript) is 422."""
    device = escrowkit.enabled(service, "di@example.com")
    headers = {name.encode(): text.encode() for name, text in device.headers.items()}
    answer = service.client.put("/v1/backup", content=b"x", headers={**headers, b"If-Match": value})
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_request"


def test_too_large_backup_is_413(service: ServiceHarness) -> None:
    """A backup over the limit is backup_too_large and is not stored."""
    device = escrowkit.enabled(service, "ed@example.com")
    answer = device.upload(b"\0" * (1024 * 1024 + 1), if_match=1)
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == ErrorCode.BACKUP_TOO_LARGE
    assert device.upload(b"\0" * (1024 * 1024), if_match=1).status_code == 200


def test_empty_backup_is_invalid(service: ServiceHarness) -> None:
    """An empty body is refused."""
    device = escrowkit.enabled(service, "em@example.com")
    assert device.upload(b"", if_match=1).status_code == 422


def test_upload_before_the_passcode_is_refused(service: ServiceHarness) -> None:
    """A setup session (no passcode yet, so nothing could restore a backup) cannot upload."""
    device = escrowkit.device(service, "fe@example.com")
    answer = device.upload(b"x", if_match=None)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE


def test_an_upload_must_be_signed_by_the_data_key(service: ServiceHarness) -> None:
    """An upload without the possession signature, or with one made for another version,
    another body or another data key, is refused and stores nothing."""
    device = escrowkit.enabled(service, "fi@example.com")
    assert device.data_key is not None
    unsigned = dict(device.headers, **{"If-Match": '"1"'})
    answers = [
        service.client.put("/v1/backup", content=b"v2", headers=unsigned),
        device.upload(b"v2", if_match=1, signature=bytes(64)),
        device.upload(
            b"v2",
            if_match=1,
            signature=escrow.sign_upload(
                device.data_key, account_id=device.account_id, version=3, body=b"v2"
            ),
        ),
        device.upload(
            b"v2",
            if_match=1,
            signature=escrow.sign_upload(
                device.data_key, account_id=device.account_id, version=2, body=b"other"
            ),
        ),
        device.upload(
            b"v2",
            if_match=1,
            signature=escrow.sign_upload(
                escrow.new_data_key(), account_id=device.account_id, version=2, body=b"v2"
            ),
        ),
    ]
    assert [answer.status_code for answer in answers] == [403] * 5
    assert {answer.json()["error"]["code"] for answer in answers} == {
        ErrorCode.POSSESSION_PROOF_INVALID
    }
    latest = service.client.get("/v1/backup", headers=device.headers)
    assert latest.headers["ETag"] == '"1"'
    assert device.upload(b"v2", if_match=1).status_code == 200


def test_only_the_last_ten_versions_are_kept(service: ServiceHarness) -> None:
    """After twelve uploads, versions 3 to 12 are listed and each can be read."""
    device = escrowkit.enabled(service, "gu@example.com")
    for version in range(2, 13):
        assert device.upload(f"v{version}".encode(), if_match=version - 1).status_code == 200
    listed = service.client.get("/v1/backup/versions", headers=device.headers).json()["versions"]
    assert [item["version"] for item in listed] == list(range(12, 2, -1))
    third = service.client.get("/v1/backup/versions/3", headers=device.headers)
    assert third.content == b"v3"
    assert third.headers["ETag"] == '"3"'
    gone = service.client.get("/v1/backup/versions/2", headers=device.headers)
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == ErrorCode.NOT_FOUND


def test_no_backup_yet_is_no_backup(service: ServiceHarness) -> None:
    """Downloading after the passcode is set and before any upload is no_backup."""
    device = escrowkit.device(service, "ha@example.com")
    assert device.set_passcode("2580").status_code == 200
    answer = service.client.get("/v1/backup", headers=device.headers)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == ErrorCode.NO_BACKUP


def test_backup_needs_a_session(service: ServiceHarness) -> None:
    """Backup endpoints without a token are unauthorized."""
    assert service.client.get("/v1/backup").status_code == 401
    answer = service.client.put("/v1/backup", content=b"x", headers={"If-None-Match": "*"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == ErrorCode.UNAUTHORIZED


def test_delete_backup_removes_versions_and_passcode(service: ServiceHarness) -> None:
    """DELETE /v1/backup (with a possession proof) removes every version and the passcode,
    signs every device out with the reason, and mails the owner."""
    device = escrowkit.enabled(service, "iv@example.com")
    other = escrowkit.transferred(service, "iv@example.com")
    assert service.client.delete("/v1/backup", headers=device.headers).status_code == 403
    answer = service.client.delete("/v1/backup", headers=device.proved("delete_backup"))
    assert answer.status_code == 204
    for holder in (device, other):
        ended = service.client.get("/v1/backup", headers=holder.headers)
        assert ended.status_code == 401
        assert ended.json()["error"]["details"]["reason"] == "backup_deleted"
    assert service.verify("iv@example.com", "transfer")["has_passcode"] is False
    assert "backup_deleted" in service.templates("iv@example.com")
