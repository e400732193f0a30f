"""A device's session token, without the data key: it reads ciphertext, and changes nothing.

Before: the token alone changed the backup's address (and the code went to the new one,
so the failure mails went to the attacker afterwards), revoked the owner's devices and
deleted the backup. Now every change needs a signature under the data key's possession
key, which the token does not give; a database dump does not give it either.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

import pytest

import escrowkit
from otpkeep.crypto import escrow, schedule
from otpkeep.protocol.encoding import b64encode
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from conftest import Target

EMAIL = "owner@example.com"


@pytest.fixture
def stolen(target: Target) -> tuple[escrowkit.Device, escrowkit.Device]:
    """The owner's device, and a thief who copied its token (and a data key of their own)."""
    owner = target.owner(EMAIL)
    thief = escrowkit.Device(target.client(), owner.token, owner.account_id)
    thief.data_key = escrow.new_data_key()
    return owner, thief


def test_the_token_reads_ciphertext(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """What the token may still do: read the ciphertext and the metadata the owner sees."""
    _owner, thief = stolen
    assert thief.client.get("/v1/backup", headers=thief.headers).status_code == 200
    assert thief.client.get("/v1/devices", headers=thief.headers).status_code == 200


def test_the_token_cannot_change_the_address(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """A change of address without a valid possession proof is refused, and no code is
    mailed to the address the thief chose."""
    _owner, thief = stolen
    headers = [
        thief.headers,
        {
            **thief.headers,
            "Otpkeep-Possession": thief.possession("change_email", "thief@evil.test"),
        },
        {**thief.headers, "Otpkeep-Possession": f"{uuid.uuid4()}.{b64encode(bytes(64))}"},
        {**thief.headers, "Otpkeep-Possession": "not a proof"},
    ]
    for header in headers:
        answer = thief.client.post(
            "/v1/verifications",
            json={"email": "thief@evil.test", "purpose": "change_email"},
            headers=header,
        )
        assert answer.status_code == 403
        assert answer.json()["error"]["code"] == ErrorCode.POSSESSION_PROOF_INVALID
    assert target.harness.mails("thief@evil.test") == []


def test_the_token_cannot_revoke_devices_or_delete_anything(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """Revoking the owner's device, deleting the backup or the account: all refused."""
    owner, thief = stolen
    device_id = owner.client.get("/v1/devices", headers=owner.headers).json()["devices"][0]["id"]
    deletions = [
        (f"/v1/devices/{device_id}", "revoke_device", device_id),
        ("/v1/backup", "delete_backup", ""),
        ("/v1/account", "delete_account", ""),
    ]
    for path, action, target_id in deletions:
        for headers in (
            thief.headers,
            {**thief.headers, "Otpkeep-Possession": thief.possession(action, target_id)},
        ):
            answer = thief.client.delete(path, headers=headers)
            assert answer.status_code == 403, (path, answer.text)
    assert owner.client.get("/v1/backup", headers=owner.headers).status_code == 200
    assert "backup_deleted" not in target.templates(EMAIL)


def test_the_token_cannot_rename_a_device(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """Renaming needs the data key: a thief cannot dress a device up as one of the owner's
    (the list the owner reads to spot an intruder), and a proof for one name names only it."""
    owner, thief = stolen
    http = target.client()  # the same service: who calls is in the headers
    device_id = owner.client.get("/v1/devices", headers=owner.headers).json()["devices"][0]["id"]
    wanted = {"name": "Ana's laptop"}
    for headers in (
        thief.headers,
        {
            **thief.headers,
            "Otpkeep-Possession": thief.possession("rename_device", f"{device_id} Ana's laptop"),
        },
    ):
        answer = http.patch(f"/v1/devices/{device_id}", json=wanted, headers=headers)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == ErrorCode.POSSESSION_PROOF_INVALID
    other_name = owner.possession("rename_device", f"{device_id} Work phone")
    misused = http.patch(
        f"/v1/devices/{device_id}",
        json=wanted,
        headers={**owner.headers, "Otpkeep-Possession": other_name},
    )
    assert misused.status_code == 403
    names = [
        d["name"] for d in owner.client.get("/v1/devices", headers=owner.headers).json()["devices"]
    ]
    assert "Ana's laptop" not in names
    proof = owner.possession("rename_device", f"{device_id} Ana's laptop")
    renamed = http.patch(
        f"/v1/devices/{device_id}",
        json=wanted,
        headers={**owner.headers, "Otpkeep-Possession": proof},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Ana's laptop"


def test_the_token_cannot_upload_or_change_the_passcode(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """An upload signed with another key, or a new passcode, is refused; the backup and the
    escrow stay as the owner left them."""
    owner, thief = stolen
    before = target.escrow(owner.account_id)
    upload = thief.upload(b"garbage", if_match=1)
    assert upload.status_code == 403
    changed, _state = thief.registration_evaluate("0000", proof=thief.possession("register"))
    assert changed.status_code == 403
    assert target.escrow(owner.account_id) == before
    versions = owner.client.get("/v1/backup/versions", headers=owner.headers).json()
    assert [item["version"] for item in versions["versions"]] == [1]


def test_a_proof_made_for_one_change_cannot_be_used_for_another(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """A real possession proof (the owner's) for revoking one device does not delete the
    backup, and once offered it is spent: it works for nothing afterwards."""
    owner, _thief = stolen
    second = target.mailbox_device(EMAIL)
    assert second.recover("2580").status_code == 200
    devices = owner.client.get("/v1/devices", headers=owner.headers).json()["devices"]
    [second_id] = [device["id"] for device in devices if not device["current"]]
    proof = {**owner.headers, "Otpkeep-Possession": owner.possession("revoke_device", second_id)}
    assert owner.client.delete("/v1/backup", headers=proof).status_code == 403
    assert owner.client.delete(f"/v1/devices/{second_id}", headers=proof).status_code == 403
    fresh = {**owner.headers, "Otpkeep-Possession": owner.possession("revoke_device", second_id)}
    assert owner.client.delete(f"/v1/devices/{second_id}", headers=fresh).status_code == 204
    assert owner.client.get("/v1/backup", headers=owner.headers).status_code == 200


def test_a_database_dump_cannot_sign_for_the_data_key(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """The database holds the possession *public* key: nothing in a dump signs a proof."""
    owner, _thief = stolen
    row = target.escrow(owner.account_id)
    assert len(bytes(row.possession_public_key)) == 32
    assert owner.data_key is not None
    seed = schedule.possession_seed(owner.data_key)
    dumped = b"".join(bytes(value) for value in row if isinstance(value, bytes | memoryview))
    assert seed not in dumped
    assert owner.data_key not in dumped


def test_a_stolen_token_dies_with_its_session_and_cannot_renew_itself(
    target: Target, stolen: tuple[escrowkit.Device, escrowkit.Device]
) -> None:
    """When the session's life runs out, renewing it needs the data key: the thief is out,
    the owner's device signs in again with its key."""
    owner, thief = stolen
    target.harness.clock.advance(366 * 24 * 3600)
    expired = thief.client.get("/v1/backup", headers=thief.headers)
    assert expired.status_code == 401
    assert expired.json()["error"]["code"] == ErrorCode.SESSION_EXPIRED
    proof = thief.possession("session")
    renewed = thief.client.post(
        "/v1/session", headers={**thief.headers, "Otpkeep-Possession": proof}
    )
    assert renewed.status_code == 403
    proof = owner.possession("session")
    renewed = owner.client.post(
        "/v1/session", headers={**owner.headers, "Otpkeep-Possession": proof}
    )
    assert renewed.status_code == 200
    owner.adopt(renewed.json())
    assert owner.client.get("/v1/backup", headers=owner.headers).status_code == 200
    assert thief.client.get("/v1/backup", headers=thief.headers).status_code == 401


def test_the_recovery_token_does_not_outlive_the_transfer(target: Target) -> None:
    """The token that made the transfer is replaced: a copy of it taken during the transfer
    is dead, and so is the copy of the renewal's."""
    target.owner(EMAIL)
    newcomer = target.mailbox_device(EMAIL)
    copies = [newcomer.token]
    assert newcomer.recover("2580").status_code == 200
    copies.append(newcomer.token)
    assert newcomer.set_passcode("2580", renewal=True).status_code == 200
    for copy in copies:
        answer = newcomer.client.get("/v1/backup", headers=escrowkit.bearer(copy))
        assert answer.status_code == 401
        assert answer.json()["error"]["details"]["reason"] == "replaced"
    assert newcomer.client.get("/v1/backup", headers=newcomer.headers).status_code == 200
