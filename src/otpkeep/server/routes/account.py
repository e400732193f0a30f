"""Devices, events and privacy (full session; changes need a possession proof)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from otpkeep.protocol import endpoints as e
from otpkeep.protocol.messages import (
    AccountExport,
    DeviceInfo,
    DeviceList,
    DeviceRename,
    EventList,
)
from otpkeep.server.routes.deps import CallDep, route
from otpkeep.server.services import account

router = APIRouter(tags=["account"])
PossessionHeader = Annotated[str | None, Header(alias=e.POSSESSION_HEADER)]


@route(router, e.DEVICES)
def devices(call: CallDep) -> DeviceList:
    """The account's device sessions."""
    return call(account.list_devices)


@route(router, e.RENAME_DEVICE)
def rename(
    device_id: uuid.UUID, body: DeviceRename, call: CallDep, proof: PossessionHeader = None
) -> DeviceInfo:
    """Give one of the account's devices another name."""
    return call(account.rename_device, device_id, body.name, proof=proof)


@route(router, e.REVOKE_DEVICE, response_class=Response)
def revoke(device_id: uuid.UUID, call: CallDep, proof: PossessionHeader = None) -> Response:
    """End one device's session."""
    call(account.revoke_device, device_id, proof)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@route(router, e.EVENTS)
def events(call: CallDep) -> EventList:
    """The account's security events, newest first."""
    return call(account.list_events)


@route(router, e.EXPORT)
def export(call: CallDep) -> AccountExport:
    """Everything the service holds about the account."""
    return call(account.export)


@route(router, e.DELETE_ACCOUNT, response_class=Response)
def delete(call: CallDep, proof: PossessionHeader = None) -> Response:
    """Delete everything about the account."""
    call(account.delete_account, proof)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
