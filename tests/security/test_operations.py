"""The smaller holes: open metrics, expired rows kept for ever, a worker holding the seed, a
registration whose signature did not bind its keys, a change of address with no way back.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64decode, b64encode
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.kdf import kdf_from_wire
from otpkeep.server.app import open_outbox
from otpkeep.server.keys import OUTBOX, derive
from service_harness import mail_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Target

EMAIL = "owner@example.com"


def test_metrics_answer_only_the_metrics_token(target: Target) -> None:
    """/metrics is refused without the token and with a wrong one; the scraper reads it."""
    http = target.client()
    assert http.get("/metrics").status_code == 401
    assert http.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    secret = target.harness.settings.metrics_token
    assert secret is not None  # the test services have one
    token = secret.get_secret_value()
    assert http.get("/metrics", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_without_a_metrics_token_there_are_no_metrics(
    target_factory: Callable[..., Target],
) -> None:
    """A service configured without a metrics token does not serve /metrics at all."""
    target = target_factory(metrics_token=None)
    answer = target.client().get("/metrics")
    assert answer.status_code == 404


def test_the_janitor_forgets_expired_challenges_and_codes(target: Target) -> None:
    """A day after they expire, challenges and verifications are gone from the database."""
    owner = target.owner(EMAIL)
    owner.possession("delete_backup")  # a challenge nobody answers
    target.client().post("/v1/verifications", json={"email": "x@example.com", "purpose": "enable"})
    assert target.rows("SELECT id FROM challenges")
    assert target.rows("SELECT id FROM verifications")
    target.harness.clock.advance(2 * 24 * 3600)
    assert target.run_janitor().rows_purged >= 3
    assert target.rows("SELECT id FROM challenges") == []
    assert target.rows("SELECT id FROM verifications") == []


def test_the_mail_worker_holds_the_outbox_key_and_not_the_seed(target: Target) -> None:
    """What a mail worker opens the database with: the engine and the outbox key only."""
    settings = target.harness.settings
    engine, key = open_outbox(settings)
    try:
        seed = target.harness.app.state.runtime.keys.seed
        assert key == derive(seed, OUTBOX)
        assert key != seed
    finally:
        engine.dispose()


def test_a_registration_with_keys_other_than_the_signed_ones_is_refused(target: Target) -> None:
    """The possession signature binds the new keys: a man in the middle who swaps the auth
    key or the wrapped data key of a passcode change gets it refused, and nothing changes."""
    owner = target.owner(EMAIL)
    before = target.escrow(owner.account_id)
    answer, state = owner.registration_evaluate("739164", proof=owner.possession("register"))
    body = answer.json()
    assert owner.data_key is not None
    registration = escrow.register(
        state,
        b64decode(body["evaluated_element"]),
        account_id=owner.account_id,
        registration_id=uuid.UUID(body["registration_id"]),
        key_version=body["key_version"],
        kdf=kdf_from_wire(body["kdf"]),
        data_key=owner.data_key,
        challenge=b64decode(body["challenge"]),
    )
    swapped = owner.client.put(
        "/v1/passcode",
        json={
            "registration_id": body["registration_id"],
            "key_version": body["key_version"],
            "auth_public_key": b64encode(bytes(31) + b"\x01"),
            "wrapped_data_key": b64encode(registration.wrapped_data_key),
            "kdf": body["kdf"],
            "signature": b64encode(registration.signature),
        },
        headers=owner.headers,
    )
    assert swapped.status_code == 403
    assert swapped.json()["error"]["code"] == ErrorCode.POSSESSION_PROOF_INVALID
    assert target.escrow(owner.account_id) == before


def test_the_old_address_can_undo_a_change_of_address(target: Target) -> None:
    """The mail to the old address carries a link; following it (and pressing its button)
    gives the backup its old address back and signs out the device that changed it."""
    owner = target.owner(EMAIL)
    proof = owner.possession("change_email", "new@example.com")
    target.harness.verify("new@example.com", "change_email", token=owner.token, possession=proof)
    mail = mail_text(target.harness.mails(EMAIL)[-1])
    [link] = re.findall(r"^(https?://\S+/e/\S+)\s*$", mail, flags=re.MULTILINE)
    path = "/e/" + link.rsplit("/e/", 1)[1]
    http = target.client()
    page = http.get(path)
    assert page.status_code == 200
    assert "Undo the change" in page.text
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]
    undone = http.post(path)
    assert undone.status_code == 200
    assert EMAIL in undone.text
    assert target.rows("SELECT email FROM accounts")[0][0] == EMAIL
    ended = owner.client.get("/v1/backup", headers=owner.headers)
    assert ended.json()["error"]["details"]["reason"] == "email_change_undone"
    assert http.post(path).status_code == 410
    assert "email_change_undone" in target.templates(EMAIL)
