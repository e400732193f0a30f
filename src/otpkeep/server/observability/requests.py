"""Request metrics: a pure ASGI middleware outside every other one.

It sits outside the access log, so it sees the status actually sent, including the
500/503 answers of errors that escaped the app. The route label is the matched route's
template (``/v1/verifications/{verification_id}/confirm``), ``(unmatched)`` otherwise.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from otpkeep.server.observability.instruments import METHODS

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from otpkeep.server.observability.instruments import Instruments

UNMATCHED = "(unmatched)"


class RequestMetrics:
    """Counts each HTTP request by method, route and status, and times it."""

    def __init__(self, app: ASGIApp, *, instruments: Instruments) -> None:
        self.app = app
        self.instruments = instruments
        self._series: dict[tuple[str, str, str], tuple[Counter, Histogram]] = {}

    def _of(self, method: str, route: str, status: str) -> tuple[Counter, Histogram]:
        """The counter and histogram of one label set (looked up once, then kept)."""
        key = (method, route, status)
        found = self._series.get(key)
        if found is None:
            found = self._series[key] = (
                self.instruments.requests.labels(method=method, route=route, status=status),
                self.instruments.latency.labels(method=method, route=route),
            )
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def remember_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        self.instruments.in_flight.inc()
        try:
            await self.app(scope, receive, remember_status)
        finally:
            self.instruments.in_flight.dec()
            method = str(scope.get("method", "")).upper()
            method = method if method in METHODS else "OTHER"
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            counter, latency = self._of(method, route, str(status))
            counter.inc()
            latency.observe(time.perf_counter() - started)
