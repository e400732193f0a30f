"""Tries and waits: one attempt at a time, waits that hold, no try spent unseen.

Before: opening 10 recovery attempts before proving any skipped the growing waits (10
wrong tries settled in 1.2 s), and evaluations that were never proven used tries up
without a word to the owner, until the backup was gone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.protocol.errors import ErrorCode
from service_harness import mail_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from conftest import Target

EMAIL = "owner@example.com"
DELAYS = "0,0,30,60,300,900,1800,3600,7200"


def test_ten_attempts_cannot_be_opened_before_proving_any(target: Target) -> None:
    """With one attempt open, every further evaluation, from any session, waits for it."""
    target.owner(EMAIL)
    attackers = [target.mailbox_device(EMAIL) for _ in range(3)]
    first, _ = attackers[0].evaluate("0000")
    assert first.status_code == 200
    for attacker in attackers:
        for guess in ("0001", "0002", "0003"):
            busy, _ = attacker.evaluate(guess)
            assert busy.status_code == 429
            assert busy.json()["error"]["code"] == ErrorCode.RECOVERY_WAIT


def test_the_waits_hold_however_the_tries_are_spread(target_factory: Callable[..., Target]) -> None:
    """Ten wrong passcodes take the whole schedule (at least 3 h 51 min of waits on the
    service's clock), whether the attacker proves, abandons, or uses several sessions
    (mailbox sessions last an hour, so the attacker keeps asking the owner's mailbox for
    codes as well)."""
    target = target_factory(passcode_retry_delays=DELAYS)
    target.owner(EMAIL)
    attackers = [target.mailbox_device(EMAIL) for _ in range(2)]
    clock = target.harness.clock
    started = clock()
    spent = 0
    turn = 0
    while spent < 10:
        attacker = attackers[turn % 2]
        turn += 1
        answer, state = attacker.evaluate(f"{spent:04d}")
        if answer.status_code == 401:
            attackers[(turn - 1) % 2] = target.mailbox_device(EMAIL)
            continue
        if answer.status_code == 429:
            clock.advance(float(answer.headers["Retry-After"]))
            continue
        assert answer.status_code == 200, answer.text
        spent += 1
        if spent % 2:
            proof, _ = attacker.prove(state, answer.json())
            assert proof.status_code == 403
        else:
            clock.advance(301)  # abandoned: it counts when it expires
    target.run_janitor()  # the tenth, abandoned, counts when it has expired
    waited = (clock() - started).total_seconds()
    assert waited >= 30 + 60 + 300 + 900 + 1800 + 3600 + 7200
    assert target.templates(EMAIL).count("backup_destroyed") == 1


def test_an_abandoned_try_is_counted_and_mailed_by_the_janitor(target: Target) -> None:
    """An evaluation never proven counts as a failure once it expires, and the owner is
    told by mail even if the attacker never comes back."""
    owner = target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL)
    answer, _ = attacker.evaluate("0000")
    assert answer.status_code == 200
    target.harness.clock.advance(301)
    assert target.run_janitor().attempts_counted == 1
    assert target.escrow(owner.account_id).failures == 1
    assert target.templates(EMAIL).count("passcode_failed") == 1
    mail = mail_text(target.harness.mails(EMAIL)[-1])
    assert "Tries left: 9." in mail
    assert "did not finish the try in time" in mail


def test_ten_abandoned_tries_destroy_the_backup_and_the_owner_is_told_each_time(
    target: Target,
) -> None:
    """Ten evaluations left unproven, one after the other: nine failure mails, then the
    destruction, its mail, and every session of the account ended."""
    owner = target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL)
    for _ in range(10):
        answer, _ = attacker.evaluate("0000")
        assert answer.status_code == 200
        target.harness.clock.advance(301)
        target.run_janitor()
    templates = target.templates(EMAIL)
    assert templates.count("passcode_failed") == 9
    assert templates.count("backup_destroyed") == 1
    for holder in (owner, attacker):
        ended = holder.client.get("/v1/backup", headers=holder.headers)
        assert ended.json()["error"]["details"]["reason"] == "backup_destroyed"
    assert target.escrow(owner.account_id) is None


def test_every_failure_mail_says_when_the_next_try_is_possible(
    target_factory: Callable[..., Target],
) -> None:
    """After the third failure the mail names the moment of the next possible try."""
    target = target_factory(passcode_retry_delays=DELAYS)
    target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL)
    for guess in ("0000", "0001", "0002"):
        assert attacker.recover(guess).status_code == 403
    mails = [
        mail_text(mail)
        for mail in target.harness.mails(EMAIL)
        if mail["X-Otpkeep-Template"] == "passcode_failed"
    ]
    assert "The next try is possible now." in mails[0]
    assert "The next try is possible from " in mails[2]
    assert " UTC." in mails[2]


def test_a_wrong_proof_cannot_be_replayed_into_a_second_failure_or_a_success(
    target: Target,
) -> None:
    """A proof answers its attempt once; replayed, it is refused and counts nothing more."""
    owner = target.owner(EMAIL)
    attacker = target.mailbox_device(EMAIL)
    answer, state = attacker.evaluate("1111")
    first, _ = attacker.prove(state, answer.json())
    second, _ = attacker.prove(state, answer.json())
    assert first.status_code == 403
    assert second.status_code == 410
    assert target.escrow(owner.account_id).failures == 1
