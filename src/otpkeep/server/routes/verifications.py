"""``/v1/verifications``: send a code, confirm it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header

from otpkeep.protocol import endpoints as e
from otpkeep.protocol.messages import (
    EmailChanged,
    LinkOpen,
    SessionGranted,
    VerificationConfirm,
    VerificationDelivery,
    VerificationLink,
    VerificationStart,
    VerificationStarted,
)
from otpkeep.server.routes.deps import CallDep, ClientDep, route
from otpkeep.server.services import verification

router = APIRouter(tags=["verification"])
PossessionHeader = Annotated[str | None, Header(alias=e.POSSESSION_HEADER)]


@route(router, e.START_VERIFICATION)
def start(
    body: VerificationStart, call: CallDep, client: ClientDep, proof: PossessionHeader = None
) -> VerificationStarted:
    """Email a code (the same answer and timing for every address)."""
    return call.optional(verification.start, body, client=client, proof=proof)


@route(router, e.CONFIRM_VERIFICATION)
def confirm(
    verification_id: uuid.UUID, body: VerificationConfirm, call: CallDep
) -> SessionGranted | EmailChanged:
    """Check the code: a mailbox session (enable, transfer) or the new address (change)."""
    return call.optional(verification.confirm, verification_id, body.code)


@route(router, e.VERIFICATION_DELIVERY)
def delivery(verification_id: uuid.UUID, call: CallDep) -> VerificationDelivery:
    """Whether the code's mail was taken by the mail server, is still on its way, or failed."""
    return call.optional(verification.delivery, verification_id)


@route(router, e.OPEN_LINK)
def open_link(body: LinkOpen, call: CallDep) -> VerificationLink:
    """The verification and code of an emailed link, for the app it was pasted into."""
    return call.optional(verification.open_emailed_link, body)
