"""``/v1/passcode`` (full session) and ``/v1/recovery`` (recovery session)."""

from __future__ import annotations

from fastapi import APIRouter

from otpkeep.protocol.messages import (
    OprfRequest,
    PasscodeRegistered,
    PasscodeRegistration,
    RecoveryChallenge,
    RecoveryGranted,
    RecoveryProof,
    RegistrationChallenge,
)
from otpkeep.server.routes.deps import AuthorizationDep, RuntimeDep
from otpkeep.server.services import auth, passcode, recovery

router = APIRouter(tags=["passcode"])


@router.post("/v1/passcode/evaluate")
def registration_evaluate(
    body: OprfRequest, rt: RuntimeDep, authorization: AuthorizationDep
) -> RegistrationChallenge:
    """Evaluate a blinded passcode under the next key version."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return passcode.start(rt, db, caller, body)


@router.put("/v1/passcode")
def registration_finish(
    body: PasscodeRegistration, rt: RuntimeDep, authorization: AuthorizationDep
) -> PasscodeRegistered:
    """Swap in the new passcode's keys; every try is given back."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return passcode.finish(rt, db, caller, body)


@router.post("/v1/recovery/evaluate")
def recovery_evaluate(
    body: OprfRequest, rt: RuntimeDep, authorization: AuthorizationDep
) -> RecoveryChallenge:
    """Take one passcode try, then evaluate the blinded passcode."""
    with rt.unit() as db:
        caller = auth.require_recovery(auth.authenticate(db, authorization, now=rt.now()))
        return recovery.evaluate(rt, db, caller, body)


@router.post("/v1/recovery/proof")
def recovery_proof(
    body: RecoveryProof, rt: RuntimeDep, authorization: AuthorizationDep
) -> RecoveryGranted:
    """Check the proof of a passcode try: the wrapped data key if it is right."""
    with rt.unit() as db:
        caller = auth.require_recovery(auth.authenticate(db, authorization, now=rt.now()))
        return recovery.prove(rt, db, caller, body)
