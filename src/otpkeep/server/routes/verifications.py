"""``/v1/verifications``: send a code, confirm it."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from otpkeep.protocol.messages import (
    EmailChanged,
    SessionGranted,
    VerificationConfirm,
    VerificationStart,
    VerificationStarted,
)
from otpkeep.server.routes.deps import AuthorizationDep, ClientDep, RuntimeDep
from otpkeep.server.services import auth, verification

router = APIRouter(prefix="/v1/verifications", tags=["verification"])


@router.post("", status_code=status.HTTP_202_ACCEPTED)
def start(
    body: VerificationStart, rt: RuntimeDep, authorization: AuthorizationDep, client: ClientDep
) -> VerificationStarted:
    """Email a code (same answer and timing for every address)."""
    with rt.unit() as db:
        caller = auth.authenticate(db, authorization, now=rt.now()) if authorization else None
        return verification.start(
            rt,
            db,
            email=body.email,
            purpose=body.purpose,
            device_name=body.device_name,
            client=client,
            caller=caller,
        )


@router.post("/{verification_id}/confirm")
def confirm(
    verification_id: uuid.UUID,
    body: VerificationConfirm,
    rt: RuntimeDep,
    authorization: AuthorizationDep,
) -> SessionGranted | EmailChanged:
    """Check the code: a device session (enable, transfer) or the new address (change)."""
    with rt.unit() as db:
        caller = auth.authenticate(db, authorization, now=rt.now()) if authorization else None
        return verification.confirm(
            rt, db, verification_id=verification_id, code=body.code, caller=caller
        )
