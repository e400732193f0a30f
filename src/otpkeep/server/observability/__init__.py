"""What an operator watches: Prometheus metrics, readiness, and request-level telemetry.

Each service process owns one :class:`~otpkeep.server.observability.instruments.Instruments`
(a registry of its own, not the process-global one) and serves it at ``/metrics``: behind
a load balancer every process is scraped on its own address, and Prometheus sums them.
``/readyz`` answers 200 only while the database answers.
"""

from __future__ import annotations

from otpkeep.server.observability.install import install
from otpkeep.server.observability.instruments import Instruments

__all__ = ["Instruments", "install"]
