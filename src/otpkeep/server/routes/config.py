"""``GET /v1/config``: the service's public configuration."""

from __future__ import annotations

from fastapi import APIRouter

from otpkeep.protocol import endpoints as e
from otpkeep.protocol.messages import ServiceConfig
from otpkeep.server.routes.deps import RuntimeDep, route
from otpkeep.server.services.config import service_config

router = APIRouter(tags=["service"])


@route(router, e.CONFIG)
async def config(rt: RuntimeDep) -> ServiceConfig:
    """The ecosystem, the passcode and verification policies, KDF defaults and limits."""
    return service_config(rt.settings)
