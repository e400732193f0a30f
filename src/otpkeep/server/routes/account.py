"""Devices, events and privacy (full session)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from otpkeep.protocol.messages import AccountExport, DeviceList, EventList
from otpkeep.server.routes.deps import AuthorizationDep, RuntimeDep
from otpkeep.server.services import account, auth

router = APIRouter(prefix="/v1", tags=["account"])


@router.get("/devices")
def devices(rt: RuntimeDep, authorization: AuthorizationDep) -> DeviceList:
    """The account's device sessions."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return account.list_devices(db, caller)


@router.delete("/devices/{device_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke(device_id: uuid.UUID, rt: RuntimeDep, authorization: AuthorizationDep) -> Response:
    """End one device session."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        account.revoke_device(rt, db, caller, device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/events")
def events(rt: RuntimeDep, authorization: AuthorizationDep) -> EventList:
    """The account's security events, newest first."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return account.list_events(db, caller)


@router.get("/account/export")
def export(rt: RuntimeDep, authorization: AuthorizationDep) -> AccountExport:
    """Everything the service holds about the account."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        return account.export(db, caller)


@router.delete("/account", status_code=status.HTTP_204_NO_CONTENT)
def delete(rt: RuntimeDep, authorization: AuthorizationDep) -> Response:
    """Delete everything about the account."""
    with rt.unit() as db:
        caller = auth.require_full(auth.authenticate(db, authorization, now=rt.now()))
        account.delete_account(rt, db, caller)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
