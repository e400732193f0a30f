"""``/healthz``: liveness, without any database work."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/healthz", tags=["service"])
async def healthz() -> dict[str, str]:
    """Liveness: the process answers (no database work)."""
    return {"status": "ok"}
