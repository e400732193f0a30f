"""Setting or changing the passcode: an OPRF evaluation, then the signed swap.

The first passcode is set by a ``setup`` session (an address without a backup). Every
later registration (a change, or the re-key after a transfer) is made by a full
session and needs a proof of possession of the data key *before* the service
evaluates anything: an evaluation is never answered without a counted try or that proof.

Each registration is evaluated under its own OPRF key: the seed, the account, the next
key version and 32 random bytes drawn now and stored with the registration, so an
evaluation obtained before it is worthless for it. The swap stores {key version, OPRF
salt, auth public key, wrapped data key, KDF parameters} at once, signed under the
possession key over every one of those values; the first registration brings that
key's public half. Every try is given back, and the caller's session is replaced.
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
    PossessionAction,
    RegistrationChallenge,
    SessionScope,
)
from otpkeep.server.db import accounts, challenges, passcodes
from otpkeep.server.db.tables import ChallengeRow, PasscodeRow
from otpkeep.server.errors import Refusal, refuse
from otpkeep.server.services import auth, kdf, notify, possession

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.db.tables import AccountRow
    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller

AUTH_KEY_BYTES = 32
POSSESSION_KEY_BYTES = 32
MAX_WRAPPED_KEY_BYTES = 1024


def evaluate_oprf(key: bytes, blinded: bytes) -> bytes:
    """The OPRF answer under ``key``; ``invalid_request`` for an element that is not valid."""
    try:
        return escrow.evaluate(key, blinded)
    except InvalidElementError as exc:
        raise refuse(
            ErrorCode.INVALID_REQUEST, "The blinded element is not a valid group element."
        ) from exc


def _account(db: Session, caller: Caller, *, lock: bool = False) -> AccountRow:
    account = accounts.by_id(db, caller.account_id, lock=lock)
    if account is None:
        raise refuse(ErrorCode.UNAUTHORIZED, "This account no longer exists.")
    return account


def _exists() -> Refusal:
    return refuse(
        ErrorCode.PASSCODE_EXISTS,
        "This address already has a backup: transfer it with its passcode.",
    )


def start(
    rt: Runtime, db: Session, caller: Caller, request: OprfRequest, proof: str | None
) -> RegistrationChallenge:
    """Evaluate the blinded passcode under the next key version and a fresh OPRF key."""
    now = rt.now()
    account = _account(db, caller)
    has_passcode = passcodes.exists_for(db, account.id)
    if has_passcode:
        if caller.scope is not SessionScope.FULL:
            raise _exists()
        possession.require(rt, db, caller, proof, action=PossessionAction.REGISTER)
    key_version = account.key_version + 1
    salt = escrow.new_oprf_salt()
    evaluated = evaluate_oprf(
        rt.keys.oprf.get(account.id, key_version, salt), request.blinded_element
    )
    challenges.close_open(db, caller.session_id, kind=challenges.REGISTRATION, now=now)
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
            oprf_salt=salt,
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
        has_passcode=has_passcode,
    )


def _check_sizes(request: PasscodeRegistration) -> None:
    if len(request.auth_public_key) != AUTH_KEY_BYTES:
        raise refuse(ErrorCode.INVALID_REQUEST, "The auth public key must be 32 bytes.")
    if not 0 < len(request.wrapped_data_key) <= MAX_WRAPPED_KEY_BYTES:
        raise refuse(ErrorCode.INVALID_REQUEST, "The wrapped data key has an impossible size.")
    key = request.possession_public_key
    if key is not None and len(key) != POSSESSION_KEY_BYTES:
        raise refuse(ErrorCode.INVALID_REQUEST, "The possession public key must be 32 bytes.")


def _possession_key(
    caller: Caller, current: PasscodeRow | None, request: PasscodeRegistration
) -> bytes:
    """The key the registration must be signed with: the registered one, or the first."""
    if current is not None:
        if caller.scope is not SessionScope.FULL:
            raise _exists()
        offered = request.possession_public_key
        if offered is not None and offered != current.possession_public_key:
            raise refuse(
                ErrorCode.POSSESSION_PROOF_INVALID,
                "Only a device that holds the backup can change the passcode.",
            )
        return current.possession_public_key
    if request.possession_public_key is None:
        raise refuse(
            ErrorCode.INVALID_REQUEST, "The first passcode needs the backup's possession key."
        )
    return request.possession_public_key


def finish(
    rt: Runtime, db: Session, caller: Caller, request: PasscodeRegistration
) -> PasscodeRegistered:
    """Swap the new passcode in, atomically, if the possession key signed it; tries reset."""
    now = rt.now()
    _check_sizes(request)
    account = _account(db, caller, lock=True)
    current = passcodes.get(db, account.id, lock=True)
    registration = challenges.close(
        db,
        request.registration_id,
        kind=challenges.REGISTRATION,
        session_id=caller.session_id,
        now=now,
    )
    if registration is None or registration.expires_at <= now:
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
    public_key = _possession_key(caller, current, request)
    if not escrow.verify_registration(
        public_key,
        request.signature,
        account_id=account.id,
        registration_id=registration.id,
        challenge=registration.challenge,
        key_version=registration.key_version,
        auth_public_key=request.auth_public_key,
        wrapped_data_key=request.wrapped_data_key,
        kdf=request.kdf,
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
            oprf_salt=registration.oprf_salt,
            auth_public_key=request.auth_public_key,
            wrapped_data_key=request.wrapped_data_key,
            possession_public_key=public_key,
            kdf=kdf.to_json(request.kdf),
            tries_left=rt.settings.recovery_tries,
            failures=0,
            wait_until=None,
            created_at=current.created_at if current else now,
            updated_at=now,
        ),
    )
    accounts.set_key_version(db, account.id, registration.key_version)
    _tell(rt, db, account, caller, request, first=current is None, now=now)
    session = auth.replace(
        rt, db, caller, scope=SessionScope.FULL, origin=auth.Origin.REGISTRATION, now=now
    )
    return PasscodeRegistered(
        key_version=registration.key_version, tries_left=rt.settings.recovery_tries, session=session
    )


def _tell(  # noqa: PLR0913 - the facts of one registration
    rt: Runtime,
    db: Session,
    account: AccountRow,
    caller: Caller,
    request: PasscodeRegistration,
    *,
    first: bool,
    now: dt.datetime,
) -> None:
    """The event and the mail of a registration; a re-key after a transfer says nothing."""
    details = {"key_version": request.key_version, "device_name": caller.name}
    if first:
        notify.record(db, account.id, EventKind.BACKUP_ENABLED, now=now, details=details)
        notify.mail(rt, db, account.email, "backup_enabled", now=now)
    elif request.renewal and caller.origin == auth.Origin.RECOVERY:
        # The same passcode under a new key, right after the transfer that was mailed.
        notify.record(db, account.id, EventKind.PASSCODE_RENEWED, now=now, details=details)
    else:
        notify.record(db, account.id, EventKind.PASSCODE_CHANGED, now=now, details=details)
        notify.mail(rt, db, account.email, "passcode_changed", now=now)
