"""Transfer (recovery session): spend one passcode try per OPRF evaluation, then prove it.

Evaluate takes a try with one atomic statement, stores an attempt with a fresh challenge,
and only then answers. A valid proof gives the tries back, returns the wrapped data key
and turns the session into a full one. An invalid proof leaves the try spent, tells the
owner, and starts the wait of the retry schedule; when no try is left and no attempt is
open, the escrow and every backup version are destroyed in one transaction, after which
the account answers exactly as one that never had a backup.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, NoReturn

from otpkeep.crypto import escrow
from otpkeep.protocol.errors import ErrorCode
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
from otpkeep.server.refusals import refuse
from otpkeep.server.services import kdf, notify
from otpkeep.server.services.passcode import evaluate_oprf

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller


def _no_backup() -> NoReturn:
    raise refuse(ErrorCode.NO_BACKUP, "There is no backup for this address.")


def evaluate(rt: Runtime, db: Session, caller: Caller, request: OprfRequest) -> RecoveryChallenge:
    """Take one try, then answer the blinded passcode with the evaluation and a challenge."""
    now = rt.now()
    taken = passcodes.take_try(db, caller.account_id, now=now)
    if taken is None:
        _refuse_evaluation(db, caller.account_id, now=now)
    evaluated = evaluate_oprf(rt, caller.account_id, taken.key_version, request.blinded_element)
    attempt_id = uuid.uuid4()
    challenge = escrow.new_challenge()
    challenges.add(
        db,
        ChallengeRow(
            id=attempt_id,
            kind=challenges.RECOVERY,
            account_id=caller.account_id,
            session_id=caller.session_id,
            key_version=taken.key_version,
            challenge=challenge,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=rt.settings.challenge_lifetime_seconds),
        ),
    )
    return RecoveryChallenge(
        attempt_id=attempt_id,
        key_version=taken.key_version,
        evaluated_element=evaluated,
        challenge=challenge,
        kdf=kdf.from_json(taken.kdf),
        tries_left=taken.tries_left,
    )


def _refuse_evaluation(db: Session, account_id: uuid.UUID, *, now: dt.datetime) -> NoReturn:
    """Why no try could be taken: no backup, a running wait, or tries spent (destroy)."""
    row = passcodes.get(db, account_id, lock=True)
    if row is None:
        _no_backup()
    if row.tries_left > 0 and row.wait_until is not None and row.wait_until > now:
        wait = (row.wait_until - now).total_seconds()
        raise refuse(
            ErrorCode.RECOVERY_WAIT,
            "Too many wrong passcodes: wait before the next try.",
            retry_after=wait,
            details={"retry_after": max(1, int(wait + 0.999)), "tries_left": row.tries_left},
        )
    open_until = challenges.first_open_expiry(db, account_id, now=now)
    if open_until is not None:
        wait = (open_until - now).total_seconds()
        raise refuse(
            ErrorCode.RECOVERY_WAIT,
            "Every passcode try is in use: wait for the open ones to finish.",
            retry_after=wait,
            details={"retry_after": max(1, int(wait + 0.999)), "tries_left": 0},
        )
    _destroy(db, account_id, now=now)
    _no_backup()


def _destroy(db: Session, account_id: uuid.UUID, *, now: dt.datetime) -> None:
    """Delete the escrow and every backup version; event and mail, once."""
    if not passcodes.destroy(db, account_id):
        return
    removed = backups.remove_all(db, account_id)
    challenges.remove_all(db, account_id)
    account = accounts.by_id(db, account_id)
    notify.record(
        db, account_id, EventKind.BACKUP_DESTROYED, now=now, details={"versions_destroyed": removed}
    )
    if account is not None:
        notify.mail(db, account.email, "backup_destroyed", now=now)


def prove(rt: Runtime, db: Session, caller: Caller, request: RecoveryProof) -> RecoveryGranted:
    """Check the signature over the attempt's challenge; the wrapped data key if right."""
    now = rt.now()
    row = passcodes.get(db, caller.account_id, lock=True)
    attempt = challenges.close(
        db, request.attempt_id, kind=challenges.RECOVERY, session_id=caller.session_id, now=now
    )
    if row is None:
        _no_backup()
    if attempt is None or attempt.key_version != row.key_version:
        raise refuse(
            ErrorCode.ATTEMPT_EXPIRED,
            "This passcode try expired: enter the passcode again.",
        )
    valid = escrow.verify_recovery_proof(
        row.auth_public_key,
        account_id=caller.account_id,
        attempt_id=attempt.id,
        challenge=attempt.challenge,
        signature=request.signature,
    )
    account = accounts.by_id(db, caller.account_id)
    email = account.email if account is not None else None
    if not valid:
        _fail(
            rt,
            db,
            caller.account_id,
            tries_left=row.tries_left,
            failures=row.failures + 1,
            email=email,
            now=now,
        )
    passcodes.restore_tries(db, caller.account_id, tries=rt.settings.recovery_tries, now=now)
    sessions.set_scope(db, caller.session_id, SessionScope.FULL.value)
    notify.record(
        db,
        caller.account_id,
        EventKind.TRANSFER,
        now=now,
        details={"device_name": caller.name, "session_id": str(caller.session_id)},
    )
    if email is not None:
        notify.mail(db, email, "transfer_completed", now=now)
    return RecoveryGranted(
        key_version=row.key_version,
        wrapped_data_key=row.wrapped_data_key,
        backup_version=backups.latest_version(db, caller.account_id),
    )


def _fail(  # noqa: PLR0913 - the facts of one failure
    rt: Runtime,
    db: Session,
    account_id: uuid.UUID,
    *,
    tries_left: int,
    failures: int,
    email: str | None,
    now: dt.datetime,
) -> NoReturn:
    delay = rt.settings.retry_delay_after(failures)
    wait_until = now + dt.timedelta(seconds=delay) if delay else None
    passcodes.record_failure(db, account_id, wait_until=wait_until, now=now)
    notify.record(
        db, account_id, EventKind.PASSCODE_FAILED, now=now, details={"tries_left": tries_left}
    )
    if email is not None:
        notify.mail(db, email, "passcode_failed", now=now, context={"tries_left": tries_left})
    details: dict[str, object] = {"tries_left": tries_left}
    retry_after = None
    if tries_left == 0 and challenges.first_open_expiry(db, account_id, now=now) is None:
        _destroy(db, account_id, now=now)
        details["destroyed"] = True
    elif delay and tries_left > 0:
        details["retry_after"] = delay
        retry_after = delay
    raise refuse(
        ErrorCode.PASSCODE_INCORRECT,
        "The passcode is not right."
        if tries_left
        else "The passcode is not right, and no try is left.",
        retry_after=retry_after,
        details=details,
    )
