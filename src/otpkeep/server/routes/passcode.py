"""``/v1/passcode`` (registration), ``/v1/recovery`` (transfer) and ``/v1/possession``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from otpkeep.protocol import endpoints as e
from otpkeep.protocol.messages import (
    OprfRequest,
    PasscodeRegistered,
    PasscodeRegistration,
    PossessionChallenge,
    PossessionChallengeRequest,
    RecoveryChallenge,
    RecoveryGranted,
    RecoveryProof,
    RegistrationChallenge,
    SessionGranted,
)
from otpkeep.server.routes.deps import CallDep, route
from otpkeep.server.services import account, passcode, possession, recovery

router = APIRouter(tags=["passcode"])
PossessionHeader = Annotated[str | None, Header(alias=e.POSSESSION_HEADER)]


@route(router, e.POSSESSION_CHALLENGE)
def possession_challenge(body: PossessionChallengeRequest, call: CallDep) -> PossessionChallenge:
    """A challenge to sign with the possession key for one action."""
    return call.renewing(possession.challenge, body)


@route(router, e.SIGN_IN)
def sign_in(call: CallDep, proof: PossessionHeader = None) -> SessionGranted:
    """A full session in place of this one, for a device that holds the data key."""
    return call.renewing(account.sign_in, proof)


@route(router, e.REGISTRATION_EVALUATE)
def registration_evaluate(
    body: OprfRequest, call: CallDep, proof: PossessionHeader = None
) -> RegistrationChallenge:
    """Evaluate a blinded passcode under the next key version and a fresh OPRF key."""
    return call(passcode.start, body, proof)


@route(router, e.REGISTRATION_FINISH)
def registration_finish(body: PasscodeRegistration, call: CallDep) -> PasscodeRegistered:
    """Swap in the new passcode's keys; every try is given back."""
    return call(passcode.finish, body)


@route(router, e.RECOVERY_EVALUATE)
def recovery_evaluate(body: OprfRequest, call: CallDep) -> RecoveryChallenge:
    """Take one passcode try, then evaluate the blinded passcode."""
    return call(recovery.evaluate, body)


@route(router, e.RECOVERY_PROOF)
def recovery_proof(body: RecoveryProof, call: CallDep) -> RecoveryGranted:
    """Check the proof of a passcode try: the wrapped data key if it is right."""
    return call(recovery.prove, body)
