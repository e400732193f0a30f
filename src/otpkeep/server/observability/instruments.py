"""The service's metrics: one registry per process, and the instruments in it.

Names follow Prometheus conventions (``_total`` counters, ``_seconds`` histograms).
Labels are bounded: the route *template* (never a raw path, which may hold a token),
the method, the status code, the mail template.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

if TYPE_CHECKING:
    from email.message import EmailMessage

    from otpkeep.server.mail.mailer import Mailer

METHODS: Final = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
LATENCY_BUCKETS: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Instruments:
    """Every metric of one service process, in its own :class:`CollectorRegistry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "otpkeep_http_requests",
            "HTTP requests answered, by method, route template and status code.",
            ("method", "route", "status"),
            registry=self.registry,
        )
        self.latency = Histogram(
            "otpkeep_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer.",
            ("method", "route"),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge(
            "otpkeep_http_requests_in_flight",
            "HTTP requests this process is answering right now.",
            registry=self.registry,
        )
        self.mail_queued = Counter(
            "otpkeep_mail_queued",
            "Messages committed to the outbox by this process, by template.",
            ("template",),
            registry=self.registry,
        )
        self.mail_sent = Counter(
            "otpkeep_mail_sent",
            "Messages this process handed to the mail server (or mail folder).",
            registry=self.registry,
        )
        self.mail_failed = Counter(
            "otpkeep_mail_failed",
            "Delivery attempts of this process that failed (the outbox retries them).",
            registry=self.registry,
        )
        self.tries_spent = Counter(
            "otpkeep_passcode_tries_spent",
            "Passcode tries taken by transfer evaluations (committed).",
            registry=self.registry,
        )
        self.backups_destroyed = Counter(
            "otpkeep_backups_destroyed",
            "Backups destroyed because every passcode try was spent (committed).",
            registry=self.registry,
        )

    def __repr__(self) -> str:
        return "Instruments()"

    def counted(self, mailer: Mailer) -> Mailer:
        """``mailer``, counting each message it takes and each it refuses."""
        return CountingMailer(mailer, self)


class CountingMailer:
    """A :class:`~otpkeep.server.mail.mailer.Mailer` that counts deliveries and failures."""

    def __init__(self, inner: Mailer, instruments: Instruments) -> None:
        self.inner = inner
        self.instruments = instruments

    def __repr__(self) -> str:
        return repr(self.inner)

    def send(self, message: EmailMessage) -> None:
        """Hand ``message`` to the wrapped mailer; count the outcome."""
        try:
            self.inner.send(message)
        except Exception:
            self.instruments.mail_failed.inc()
            raise
        self.instruments.mail_sent.inc()
