"""Transfer: passcode tries taken at evaluation, proofs, waits and destruction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import escrowkit
from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64decode
from otpkeep.protocol.errors import ErrorCode
from service_harness import mail_text

if TYPE_CHECKING:
    from service_harness import ServiceFactory, ServiceHarness


def test_right_passcode_returns_the_data_key_and_a_full_session(service: ServiceHarness) -> None:
    """A valid proof unwraps the data key, opens the backup and makes the session full."""
    owner = escrowkit.enabled(service, "amy@example.com", passcode="2580")
    newcomer = escrowkit.device(service, "amy@example.com", "transfer", name="new phone")
    recovery_token = newcomer.token
    granted = newcomer.recover("2580")
    assert granted.status_code == 200
    assert granted.json()["backup_version"] == 1
    assert granted.json()["session"]["scope"] == "full"
    assert newcomer.token != recovery_token
    assert newcomer.data_key == owner.data_key
    sealed = service.client.get("/v1/backup", headers=newcomer.headers)
    assert sealed.status_code == 200
    assert newcomer.data_key is not None
    opened = escrow.open_backup(
        newcomer.data_key, sealed.content, account_id=owner.account_id, version=1
    )
    assert opened == b"accounts v1"
    old = service.client.get("/v1/backup", headers=escrowkit.bearer(recovery_token))
    assert old.json()["error"]["details"]["reason"] == "replaced"
    assert newcomer.set_passcode("2580", renewal=True).json()["key_version"] == 2
    templates = service.templates("amy@example.com")
    assert templates.count("transfer_completed") == 1
    assert "passcode_changed" not in templates
    transfer_mail = mail_text(service.mails("amy@example.com")[-1])
    assert '"new phone"' in transfer_mail


def test_wrong_passcode_spends_a_try_and_tells_the_owner(service: ServiceHarness) -> None:
    """A wrong passcode is passcode_incorrect with the tries left, and the owner is mailed."""
    escrowkit.enabled(service, "bea@example.com", passcode="2580")
    newcomer = escrowkit.device(service, "bea@example.com", "transfer")
    answer, state = newcomer.evaluate("1111")
    assert answer.json()["tries_left"] == 9
    proof, recovery = newcomer.prove(state, answer.json())
    assert proof.status_code == 403
    assert proof.json()["error"]["code"] == ErrorCode.PASSCODE_INCORRECT
    assert proof.json()["error"]["details"]["tries_left"] == 9
    failed = [
        m for m in service.mails("bea@example.com") if m["X-Otpkeep-Template"] == "passcode_failed"
    ]
    assert len(failed) == 1
    assert "9" in mail_text(failed[0])
    del recovery


def test_right_passcode_gives_every_try_back(service: ServiceHarness) -> None:
    """After wrong tries, the right passcode restores all ten."""
    escrowkit.enabled(service, "cal@example.com", passcode="2580")
    newcomer = escrowkit.device(service, "cal@example.com", "transfer")
    for _ in range(3):
        assert newcomer.recover("0000").status_code == 403
    assert newcomer.recover("2580").status_code == 200
    other = escrowkit.device(service, "cal@example.com", "transfer")
    answer, _ = other.evaluate("2580")
    assert answer.json()["tries_left"] == 9


def test_waits_grow_after_the_third_failure(service_factory: ServiceFactory) -> None:
    """With the schedule 0,0,30,60 the fourth try waits 30 s, answered 429 with Retry-After."""
    service = service_factory(passcode_retry_delays="0,0,30,60")
    escrowkit.enabled(service, "dot@example.com")
    newcomer = escrowkit.device(service, "dot@example.com", "transfer")
    assert newcomer.recover("0000").status_code == 403
    assert newcomer.recover("0001").status_code == 403
    third = newcomer.recover("0002")
    assert third.json()["error"]["details"]["retry_after"] == 30
    assert third.headers["Retry-After"] == "30"
    waiting, _ = newcomer.evaluate("0003")
    assert waiting.status_code == 429
    assert waiting.json()["error"]["code"] == ErrorCode.RECOVERY_WAIT
    assert 1 <= int(waiting.headers["Retry-After"]) <= 30
    assert waiting.json()["error"]["details"]["tries_left"] == 7
    service.clock.advance(31)
    assert newcomer.recover("0003").status_code == 403
    waiting, _ = newcomer.evaluate("0004")
    assert 30 < int(waiting.headers["Retry-After"]) <= 60


def test_tenth_failure_destroys_the_backup_once(service: ServiceHarness) -> None:
    """Ten wrong passcodes destroy escrow and backups, end every session, mail each failure and
    the destruction once, then answer as no backup."""
    owner = escrowkit.enabled(service, "eli@example.com", passcode="2580")
    assert owner.upload(b"second version", if_match=1).status_code == 200
    newcomer = escrowkit.device(service, "eli@example.com", "transfer")
    for attempt in range(10):
        answer = newcomer.recover(f"{attempt:04d}")
        assert answer.status_code == 403
    assert answer.json()["error"]["details"] == {"tries_left": 0, "destroyed": True}
    templates = service.templates("eli@example.com")
    assert templates.count("backup_destroyed") == 1
    assert templates.count("passcode_failed") == 9
    for holder in (owner, newcomer):
        ended = service.client.get("/v1/backup", headers=holder.headers)
        assert ended.status_code == 401
        assert ended.json()["error"]["details"]["reason"] == "backup_destroyed"
    fresh = service.verify("eli@example.com", "transfer")
    unknown = service.verify("nobody-else@example.com", "transfer")
    assert fresh["has_passcode"] is unknown["has_passcode"] is False
    assert fresh["scope"] == unknown["scope"] == "setup"
    again = escrowkit.device(service, "eli@example.com")
    assert again.set_passcode("7391").status_code == 200
    kinds = [
        e["kind"] for e in service.client.get("/v1/events", headers=again.headers).json()["events"]
    ]
    assert kinds.count("backup_destroyed") == 1
    assert service.client.get("/v1/backup/versions", headers=again.headers).json() == {
        "versions": []
    }


def test_one_attempt_is_open_at_a_time(service: ServiceHarness) -> None:
    """While an attempt waits for its proof, no other evaluation is answered, from any session."""
    escrowkit.enabled(service, "eve@example.com")
    first = escrowkit.device(service, "eve@example.com", "transfer")
    second = escrowkit.device(service, "eve@example.com", "transfer")
    opened, _ = first.evaluate("1234")
    assert opened.status_code == 200
    for device in (first, second):
        busy, _ = device.evaluate("1234")
        assert busy.status_code == 429
        assert busy.json()["error"]["code"] == ErrorCode.RECOVERY_WAIT
        assert 1 <= int(busy.headers["Retry-After"]) <= 300
        assert busy.json()["error"]["details"]["tries_left"] == 9


def test_unanswered_evaluations_count_as_failures_and_then_destroy(service: ServiceHarness) -> None:
    """An attempt left unproven counts, when it expires, as a failure mailed to the owner;
    the tenth destroys the backup."""
    escrowkit.enabled(service, "fox@example.com")
    newcomer = escrowkit.device(service, "fox@example.com", "transfer")
    for left in range(9, 0, -1):
        answer, _ = newcomer.evaluate("1234")
        assert answer.json()["tries_left"] == left
        service.clock.advance(301)
    last, _ = newcomer.evaluate("1234")
    assert last.json()["tries_left"] == 0
    assert service.templates("fox@example.com").count("passcode_failed") == 9
    mail = mail_text(service.mails("fox@example.com")[-1])
    assert "did not finish the try in time" in mail
    service.clock.advance(301)
    gone, _ = newcomer.evaluate("1234")
    assert gone.status_code == 404
    assert gone.json()["error"]["code"] == ErrorCode.NO_BACKUP
    assert service.templates("fox@example.com").count("backup_destroyed") == 1
    after, _ = newcomer.evaluate("1234")
    assert after.json()["error"]["details"]["reason"] == "backup_destroyed"


def test_proof_after_the_attempt_expired_is_refused_and_counted(service: ServiceHarness) -> None:
    """A proof sent after five minutes is attempt_expired even with the right passcode, and
    the attempt counts (and is mailed) as a failure."""
    escrowkit.enabled(service, "gia@example.com", passcode="2580")
    newcomer = escrowkit.device(service, "gia@example.com", "transfer")
    answer, state = newcomer.evaluate("2580")
    service.clock.advance(301)
    proof, _ = newcomer.prove(state, answer.json())
    assert proof.status_code == 410
    assert proof.json()["error"]["code"] == ErrorCode.ATTEMPT_EXPIRED
    assert proof.json()["error"]["details"]["tries_left"] == 9
    assert service.templates("gia@example.com").count("passcode_failed") == 1
    again, _ = newcomer.evaluate("2580")
    assert again.json()["tries_left"] == 8


def test_a_proof_counts_once(service: ServiceHarness) -> None:
    """Replaying a valid proof is attempt_expired."""
    escrowkit.enabled(service, "hue@example.com", passcode="2580")
    newcomer = escrowkit.device(service, "hue@example.com", "transfer")
    answer, state = newcomer.evaluate("2580")
    first, _ = newcomer.prove(state, answer.json())
    assert first.status_code == 200
    recovering = escrowkit.device(service, "hue@example.com", "transfer")
    replay, _ = escrowkit.Device(service.client, recovering.token, recovering.account_id).prove(
        state, answer.json()
    )
    assert replay.status_code == 410


def test_recovery_needs_a_recovery_session(service: ServiceHarness) -> None:
    """A full session asking to recover is session_scope."""
    owner = escrowkit.enabled(service, "ivy@example.com")
    answer, _ = owner.evaluate("2580")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == ErrorCode.SESSION_SCOPE


def test_recovered_data_key_opens_nothing_with_a_wrong_passcode(service: ServiceHarness) -> None:
    """The wrapped key handed out after a right passcode is the one the owner wrapped."""
    escrowkit.enabled(service, "jo@example.com", passcode="2580")
    newcomer = escrowkit.device(service, "jo@example.com", "transfer")
    answer, state = newcomer.evaluate("2580")
    proof, recovery = newcomer.prove(state, answer.json())
    wrapped = b64decode(proof.json()["wrapped_data_key"])
    assert len(recovery.unwrap(wrapped)) == 32
