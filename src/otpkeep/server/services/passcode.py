"""Setting or changing the passcode (full session): an OPRF evaluation, then the swap.

The evaluation uses the account's next key version and hands out a challenge; the swap
stores {key version, auth public key, wrapped data key, KDF parameters} at once and
gives every try back. The first registration stores the possession key; every later one
must prove the data key with a MAC over the challenge, so a stolen session token alone
cannot replace the passcode.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.errors import InvalidElementError
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import (
    EventKind,
    OprfRequest,
    PasscodeRegistered,
    PasscodeRegistration,
    RegistrationChallenge,
)
from otpkeep.server.db import accounts, challenges, passcodes
from otpkeep.server.db.tables import ChallengeRow, PasscodeRow
from otpkeep.server.refusals import refuse
from otpkeep.server.services import kdf, notify

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller

AUTH_KEY_BYTES = 32
MAX_WRAPPED_KEY_BYTES = 1024
POSSESSION_KEY_BYTES = (16, 64)


def evaluate_oprf(rt: Runtime, account_id: uuid.UUID, key_version: int, blinded: bytes) -> bytes:
    """The OPRF answer for the account's ``key_version``; ``invalid_request`` for a bad element."""
    try:
        return escrow.evaluate(rt.keys.seed, account_id, key_version, blinded)
    except (InvalidElementError, ValueError) as exc:
        raise refuse(
            ErrorCode.INVALID_REQUEST, "The blinded element is not a valid group element."
        ) from exc


def start(rt: Runtime, db: Session, caller: Caller, request: OprfRequest) -> RegistrationChallenge:
    """Evaluate the blinded passcode under the next key version; keep a challenge 5 minutes."""
    now = rt.now()
    account = accounts.by_id(db, caller.account_id)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    key_version = account.key_version + 1
    evaluated = evaluate_oprf(rt, account.id, key_version, request.blinded_element)
    registration_id = uuid.uuid4()
    challenge = escrow.new_challenge()
    challenges.add(
        db,
        ChallengeRow(
            id=registration_id,
            kind=challenges.REGISTRATION,
            account_id=account.id,
            session_id=caller.session_id,
            key_version=key_version,
            challenge=challenge,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=rt.settings.challenge_lifetime_seconds),
        ),
    )
    return RegistrationChallenge(
        registration_id=registration_id,
        key_version=key_version,
        evaluated_element=evaluated,
        challenge=challenge,
        kdf=kdf.fresh_kdf(rt.settings),
        has_passcode=passcodes.exists_for(db, account.id),
    )


def _check_sizes(request: PasscodeRegistration) -> None:
    if len(request.auth_public_key) != AUTH_KEY_BYTES:
        raise refuse(ErrorCode.INVALID_REQUEST, "The auth public key must be 32 bytes.")
    if not 0 < len(request.wrapped_data_key) <= MAX_WRAPPED_KEY_BYTES:
        raise refuse(ErrorCode.INVALID_REQUEST, "The wrapped data key has an impossible size.")
    if len(request.kdf.salt) < 8:
        raise refuse(
            ErrorCode.INVALID_REQUEST, "The KDF parameters need a salt of 8 bytes or more."
        )


def finish(
    rt: Runtime, db: Session, caller: Caller, request: PasscodeRegistration
) -> PasscodeRegistered:
    """Swap the new passcode in, atomically; tries reset."""
    now = rt.now()
    _check_sizes(request)
    account = accounts.by_id(db, caller.account_id, lock=True)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    current = passcodes.get(db, account.id, lock=True)
    registration = challenges.close(
        db,
        request.registration_id,
        kind=challenges.REGISTRATION,
        session_id=caller.session_id,
        now=now,
    )
    if registration is None:
        raise refuse(
            ErrorCode.REGISTRATION_EXPIRED,
            "This passcode registration expired or was used: set the passcode again.",
        )
    if (
        request.key_version != registration.key_version
        or registration.key_version <= account.key_version
    ):
        raise refuse(
            ErrorCode.KEY_VERSION_CONFLICT,
            "The passcode was changed meanwhile, maybe on another device: set it again.",
            details={"key_version": account.key_version},
        )
    if current is None:
        possession_key = request.possession_key
        if possession_key is None or not (
            POSSESSION_KEY_BYTES[0] <= len(possession_key) <= POSSESSION_KEY_BYTES[1]
        ):
            raise refuse(
                ErrorCode.INVALID_REQUEST, "The first passcode needs the backup's possession key."
            )
    else:
        possession_key = current.possession_key
        proof = request.possession_proof
        if proof is None or not escrow.verify_possession_proof(
            possession_key, account_id=account.id, challenge=registration.challenge, proof=proof
        ):
            raise refuse(
                ErrorCode.POSSESSION_PROOF_INVALID,
                "Only a device that holds the backup can change the passcode.",
            )
    passcodes.put(
        db,
        PasscodeRow(
            account_id=account.id,
            key_version=registration.key_version,
            auth_public_key=request.auth_public_key,
            wrapped_data_key=request.wrapped_data_key,
            possession_key=possession_key,
            kdf=kdf.to_json(request.kdf),
            tries_left=rt.settings.recovery_tries,
            failures=0,
            wait_until=None,
            created_at=current.created_at if current else now,
            updated_at=now,
        ),
    )
    accounts.set_key_version(db, account.id, registration.key_version)
    if current is None:
        notify.record(
            db,
            account.id,
            EventKind.BACKUP_ENABLED,
            now=now,
            details={"key_version": registration.key_version},
        )
        notify.mail(db, account.email, "backup_enabled", now=now)
    else:
        notify.record(
            db,
            account.id,
            EventKind.PASSCODE_CHANGED,
            now=now,
            details={"key_version": registration.key_version},
        )
        notify.mail(db, account.email, "passcode_changed", now=now)
    return PasscodeRegistered(
        key_version=registration.key_version, tries_left=rt.settings.recovery_tries
    )
