"""``/readyz`` (may a load balancer send traffic here?) and ``/metrics`` (Prometheus).

``/healthz`` (liveness) answers as long as the process does; ``/readyz`` also asks the
database, and answers 503 ``service_unavailable`` while it does not answer, so a load
balancer stops sending requests that could only fail. Neither reveals anything about
accounts. ``/metrics`` answers only a scraper that sends ``Authorization: Bearer`` with
``OTPKEEP_METRICS_TOKEN``; without that setting it does not exist (404), so the API port
never shows its counters to the world (docs/deploy.md).
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from otpkeep.protocol.endpoints import COMMON_REFUSALS
from otpkeep.protocol.errors import ErrorCode
from otpkeep.server.db import health
from otpkeep.server.errors import refuse
from otpkeep.server.routes.deps import responses
from otpkeep.server.services.auth import bearer_token

if TYPE_CHECKING:
    from otpkeep.server.observability.instruments import Instruments
    from otpkeep.server.runtime import Runtime

router = APIRouter(tags=["service"])
NOT_READY = "The service cannot reach its database: try again later."
RETRY_READY = 5
"""Seconds a load balancer or client is asked to wait before asking again."""


def database_answers(runtime: Runtime) -> bool:
    """Whether the database answers a trivial query now."""
    return health.answers(runtime.engine)


@router.get("/readyz", responses=responses(COMMON_REFUSALS))
def readyz(request: Request) -> dict[str, str]:
    """Readiness: 200 when the database answers, else 503 ``service_unavailable``."""
    runtime: Runtime = request.app.state.runtime
    if not database_answers(runtime):
        raise refuse(ErrorCode.SERVICE_UNAVAILABLE, NOT_READY, retry_after=RETRY_READY)
    return {"status": "ready"}


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """This process's metrics in the Prometheus text format, for the metrics token only."""
    runtime: Runtime = request.app.state.runtime
    token = runtime.settings.metrics_token
    if token is None:
        raise refuse(ErrorCode.NOT_FOUND, "There is nothing at this address.")
    sent = bearer_token(request.headers.get("authorization")) or ""
    if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
        raise refuse(ErrorCode.UNAUTHORIZED, "The metrics need the metrics token.")
    instruments: Instruments = request.app.state.instruments
    return Response(generate_latest(instruments.registry), media_type=CONTENT_TYPE_LATEST)
