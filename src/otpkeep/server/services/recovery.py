"""Transfer (recovery session): one counted passcode try per OPRF evaluation, then its proof.

The rules (docs/security.md, "Tries and waits"), each under the escrow row's lock:

- one recovery attempt is open per account at a time; another evaluation waits for it;
- an evaluation is refused while the wait of the last failure runs;
- an evaluation takes one try, stores the attempt with a fresh challenge, and only then
  answers (an element that is not valid is refused before any try is taken);
- a valid proof gives every try back, returns the wrapped data key and replaces the
  session with a full one; an invalid proof, or an attempt that expires unproven, is a
  failure: it starts the next wait, is recorded and mailed with the tries left and when
  the next try is possible, and the last one destroys the escrow and every backup
  version in the same transaction and ends every session of the account. Afterwards the
  account answers exactly as one that never had a backup.

Expired attempts are counted when the account is next touched and by the janitor
(:mod:`otpkeep.server.services.maintenance`), so nobody can spend tries unseen.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, NoReturn

from otpkeep.crypto import escrow
from otpkeep.protocol.errors import EndReason, ErrorCode
from otpkeep.protocol.messages import (
    EventKind,
    OprfRequest,
    RecoveryChallenge,
    RecoveryGranted,
    RecoveryProof,
    SessionScope,
)
from otpkeep.server.db import accounts, backups, challenges, passcodes, sessions
from otpkeep.server.db.tables import ChallengeRow
from otpkeep.server.errors import refuse
from otpkeep.server.services import auth, kdf, notify
from otpkeep.server.services.passcode import evaluate_oprf

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.db.tables import PasscodeRow
    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


def _no_backup() -> NoReturn:
    raise refuse(ErrorCode.NO_BACKUP, "There is no backup for this address.")


def _wait(message: str, until: dt.datetime, now: dt.datetime, tries_left: int) -> NoReturn:
    wait = max(1.0, (until - now).total_seconds())
    raise refuse(
        ErrorCode.RECOVERY_WAIT,
        message,
        retry_after=wait,
        details={"retry_after": int(wait + 0.999), "tries_left": tries_left},
    )


def _escrow(rt: Runtime, db: Session, account_id: uuid.UUID, now: dt.datetime) -> PasscodeRow:
    """The locked escrow row, after every expired attempt of the account is counted."""
    row = passcodes.get(db, account_id, lock=True)
    if row is None:
        _no_backup()
    if settle_expired(rt, db, row, now=now):
        _no_backup()
    return row


def evaluate(rt: Runtime, db: Session, caller: Caller, request: OprfRequest) -> RecoveryChallenge:
    """Take one try, then answer the blinded passcode with the evaluation and a challenge."""
    now = rt.now()
    row = _escrow(rt, db, caller.account_id, now)
    open_attempt = challenges.open_attempt(db, caller.account_id, now=now)
    if open_attempt is not None:
        _wait(
            "A passcode try for this backup is in progress: wait until it ends.",
            open_attempt.expires_at,
            now,
            row.tries_left,
        )
    if row.wait_until is not None and row.wait_until > now:
        _wait(
            "Too many wrong passcodes: wait before the next try.",
            row.wait_until,
            now,
            row.tries_left,
        )
    key = rt.keys.oprf.get(caller.account_id, row.key_version, row.oprf_salt)
    evaluated = evaluate_oprf(key, request.blinded_element)  # refused before a try is taken
    tries_left = passcodes.take_try(db, caller.account_id, now=now)
    if tries_left is None:  # pragma: no cover - the last failure destroys the escrow
        destroy(rt, db, caller.account_id, now=now)
        _no_backup()
    attempt_id = uuid.uuid4()
    challenge = escrow.new_challenge()
    lifetime = rt.settings.challenge_lifetime_seconds
    challenges.add(
        db,
        ChallengeRow(
            id=attempt_id,
            kind=challenges.RECOVERY,
            account_id=caller.account_id,
            session_id=caller.session_id,
            key_version=row.key_version,
            challenge=challenge,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
        ),
    )
    return RecoveryChallenge(
        attempt_id=attempt_id,
        key_version=row.key_version,
        evaluated_element=evaluated,
        challenge=challenge,
        kdf=kdf.from_json(row.kdf),
        tries_left=tries_left,
        expires_in=lifetime,
    )


def prove(rt: Runtime, db: Session, caller: Caller, request: RecoveryProof) -> RecoveryGranted:
    """Check the signature over the attempt's challenge; the wrapped data key if right."""
    now = rt.now()
    row = passcodes.get(db, caller.account_id, lock=True)
    if row is None:
        _no_backup()
    attempt = challenges.close(
        db, request.attempt_id, kind=challenges.RECOVERY, session_id=caller.session_id, now=now
    )
    if attempt is None or attempt.key_version != row.key_version:
        raise refuse(ErrorCode.ATTEMPT_EXPIRED, "This passcode try is over: enter it again.")
    if attempt.expires_at <= now:
        destroyed = record_failure(rt, db, row, reason="unanswered", now=now)
        raise refuse(
            ErrorCode.ATTEMPT_EXPIRED,
            "This passcode try took too long and counts as a wrong one: enter it again.",
            details={"tries_left": row.tries_left, "destroyed": destroyed},
        )
    valid = escrow.verify_recovery_proof(
        row.auth_public_key,
        account_id=caller.account_id,
        attempt_id=attempt.id,
        challenge=attempt.challenge,
        signature=request.signature,
    )
    if not valid:
        _refuse_failure(rt, db, row, now=now)
    passcodes.restore_tries(db, caller.account_id, tries=rt.settings.recovery_tries, now=now)
    session = auth.replace(
        rt, db, caller, scope=SessionScope.FULL, origin=auth.Origin.RECOVERY, now=now
    )
    notify.record(
        db,
        caller.account_id,
        EventKind.TRANSFER,
        now=now,
        details={"device_name": caller.name, "session_id": str(session.session_id)},
    )
    account = accounts.by_id(db, caller.account_id)
    if account is not None:
        notify.mail(
            rt, db, account.email, "transfer_completed", now=now,
            context={"device_name": caller.name},
        )  # fmt: skip
    return RecoveryGranted(
        key_version=row.key_version,
        wrapped_data_key=row.wrapped_data_key,
        backup_version=backups.latest_version(db, caller.account_id),
        session=session,
    )


def _refuse_failure(rt: Runtime, db: Session, row: PasscodeRow, *, now: dt.datetime) -> NoReturn:
    destroyed = record_failure(rt, db, row, reason="wrong", now=now)
    details: dict[str, object] = {"tries_left": row.tries_left}
    retry_after = None
    if destroyed:
        details["destroyed"] = True
    else:
        delay = rt.settings.retry_delay_after(row.failures + 1)
        if delay:
            details["retry_after"] = delay
            retry_after = delay
    raise refuse(
        ErrorCode.PASSCODE_INCORRECT,
        "The passcode is not right."
        if row.tries_left
        else "The passcode is not right, and no try is left.",
        retry_after=retry_after,
        details=details,
    )


def settle_expired(rt: Runtime, db: Session, row: PasscodeRow, *, now: dt.datetime) -> bool:
    """Count every attempt of the (locked) escrow that expired unproven; True if destroyed."""
    for _attempt in challenges.settle_expired_attempts(db, row.account_id, now=now):
        if record_failure(rt, db, row, reason="unanswered", now=now):
            return True
        db.refresh(row)
    return False


def record_failure(
    rt: Runtime, db: Session, row: PasscodeRow, *, reason: str, now: dt.datetime
) -> bool:
    """Count one failure of the (locked) escrow row; the last destroys it. True if destroyed."""
    account = accounts.by_id(db, row.account_id)
    if row.tries_left <= 0:
        destroy(rt, db, row.account_id, now=now)
        return True
    failures = row.failures + 1
    delay = rt.settings.retry_delay_after(failures)
    next_try = now + dt.timedelta(seconds=delay)
    passcodes.record_failure(db, row.account_id, wait_until=next_try if delay else None, now=now)
    notify.record(
        db,
        row.account_id,
        EventKind.PASSCODE_FAILED,
        now=now,
        details={
            "tries_left": row.tries_left,
            "reason": reason,
            "next_try_at": next_try.isoformat(),
        },
    )
    if account is not None:
        notify.mail(
            rt,
            db,
            account.email,
            "passcode_failed",
            now=now,
            context={
                "tries_left": row.tries_left,
                "next_try": "now" if not delay else f"from {notify.when(next_try)}",
                "what": _WHAT[reason],
            },
        )
    return False


_WHAT = {
    "wrong": "entered a wrong backup passcode",
    "unanswered": "asked to try a backup passcode and did not finish the try in time",
}


def destroy(rt: Runtime, db: Session, account_id: uuid.UUID, *, now: dt.datetime) -> None:
    """Delete the escrow and every backup version, end every session; event and mail, once."""
    if not passcodes.destroy(db, account_id):
        return
    removed = backups.remove_all(db, account_id)
    challenges.remove_all(db, account_id)
    sessions.end_all(db, account_id, reason=EndReason.BACKUP_DESTROYED, now=now)
    notify.record(
        db, account_id, EventKind.BACKUP_DESTROYED, now=now, details={"versions_destroyed": removed}
    )
    account = accounts.by_id(db, account_id)
    if account is not None:
        notify.mail(rt, db, account.email, "backup_destroyed", now=now)
