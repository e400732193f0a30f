"""Wiring the observability of one service process into its app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.server.observability import probes
from otpkeep.server.observability.committed import count_commits
from otpkeep.server.observability.outboxgauge import OutboxCollector
from otpkeep.server.observability.requests import RequestMetrics

if TYPE_CHECKING:
    from fastapi import FastAPI

    from otpkeep.server.observability.instruments import Instruments
    from otpkeep.server.runtime import Runtime


def install(app: FastAPI, runtime: Runtime, instruments: Instruments) -> None:
    """Serve ``/readyz`` and ``/metrics``, count requests and committed facts.

    Call it after every other middleware is added, so the request metrics see the
    answers of the middlewares inside them.
    """
    count_commits(runtime.sessions, instruments)
    instruments.registry.register(OutboxCollector(runtime.engine))
    app.state.instruments = instruments
    app.include_router(probes.router)
    app.add_middleware(RequestMetrics, instruments=instruments)
