"""``/healthz``: liveness, without any database work."""

from __future__ import annotations

from fastapi import APIRouter

from otpkeep.protocol.endpoints import COMMON_REFUSALS
from otpkeep.server.routes.deps import responses

router = APIRouter()


@router.get("/healthz", tags=["service"], responses=responses(COMMON_REFUSALS))
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (no database work)."""
    return {"status": "ok"}
