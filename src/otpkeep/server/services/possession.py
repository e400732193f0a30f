"""Proof of possession of the data key: a challenge, and the signature that answers it.

The possession key is derived from the data key on the device; the service keeps its
public half, registered with the first passcode. A request that changes the account
carries ``Otpkeep-Possession: <challenge id>.<signature>`` over a challenge drawn for
that one action and target (docs/protocol.md §10): a session token alone cannot make it,
and a database dump holds nothing that can. A challenge is answered at most once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64decode
from otpkeep.protocol.errors import ErrorCode
from otpkeep.protocol.messages import (
    PossessionAction,
    PossessionChallenge,
    PossessionChallengeRequest,
)
from otpkeep.server.db import challenges, passcodes
from otpkeep.server.db.tables import ChallengeRow
from otpkeep.server.errors import Refusal, refuse

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from otpkeep.server.runtime import Runtime
    from otpkeep.server.services.auth import Caller

MAX_HEADER_LENGTH = 200


def _no_passcode() -> Refusal:
    return refuse(
        ErrorCode.PASSCODE_NOT_SET,
        "This address has no backup yet, so there is no data key to prove.",
    )


def challenge(
    rt: Runtime, db: Session, caller: Caller, request: PossessionChallengeRequest
) -> PossessionChallenge:
    """A fresh challenge for ``request.action``; it replaces the session's earlier ones."""
    if caller.expired and request.action is not PossessionAction.SESSION:
        raise refuse(
            ErrorCode.SESSION_EXPIRED,
            "This device's session with the backup service has expired.",
            details={"renewable": True},
        )
    if not passcodes.exists_for(db, caller.account_id):
        raise _no_passcode()
    now = rt.now()
    challenges.close_open(db, caller.session_id, kind=challenges.POSSESSION, now=now)
    challenge_id = uuid.uuid4()
    value = escrow.new_challenge()
    lifetime = rt.settings.challenge_lifetime_seconds
    challenges.add(
        db,
        ChallengeRow(
            id=challenge_id,
            kind=challenges.POSSESSION,
            account_id=caller.account_id,
            session_id=caller.session_id,
            key_version=0,
            challenge=value,
            action=request.action.value,
            target=request.target,
            created_at=now,
            expires_at=now + dt.timedelta(seconds=lifetime),
        ),
    )
    return PossessionChallenge(challenge_id=challenge_id, challenge=value, expires_in=lifetime)


INVALID = "The proof that this device holds the backup's key is not valid."


def _invalid(message: str = INVALID) -> Refusal:
    return refuse(ErrorCode.POSSESSION_PROOF_INVALID, message)


def parse_header(value: str | None) -> tuple[uuid.UUID, bytes]:
    """The challenge id and signature of an ``Otpkeep-Possession`` header."""
    if not value:
        raise _invalid("This change needs a proof that the device holds the backup's key.")
    if len(value) > MAX_HEADER_LENGTH:
        raise _invalid()
    challenge_text, _, signature_text = value.strip().partition(".")
    try:
        return uuid.UUID(challenge_text), b64decode(signature_text)
    except ValueError:
        raise _invalid() from None


def require(  # noqa: PLR0913 - the proof and what it must authorise
    rt: Runtime,
    db: Session,
    caller: Caller,
    header: str | None,
    *,
    action: PossessionAction,
    target: str = "",
) -> None:
    """Accept the request only with a valid proof for ``action`` on ``target``; else refuse."""
    challenge_id, signature = parse_header(header)
    public_key = passcodes.possession_public_key(db, caller.account_id)
    if public_key is None:
        raise _no_passcode()
    now = rt.now()
    row = challenges.close(
        db, challenge_id, kind=challenges.POSSESSION, session_id=caller.session_id, now=now
    )
    if row is None or row.expires_at <= now:
        raise _invalid("This proof's challenge expired or was used: ask for a new one.")
    if row.action != action.value or row.target != target:
        raise _invalid("This proof was made for another change.")
    if not escrow.verify_possession(
        public_key,
        account_id=caller.account_id,
        challenge_id=row.id,
        challenge=row.challenge,
        action=action.value,
        target=target,
        signature=signature,
    ):
        raise _invalid()
