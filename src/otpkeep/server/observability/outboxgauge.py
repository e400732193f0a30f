"""The outbox as the whole service sees it: messages waiting, sent and given up.

Mail is delivered by whichever process claims it (any ``serve`` process, or ``worker``
processes that serve no metrics), so per-process counters cannot tell whether mail is
getting out. This collector reads the shared outbox table at scrape time instead; every
process reports the same numbers, so dashboards take ``max`` of it, not ``sum``. When the
database does not answer it reports ``otpkeep_database_up 0`` and no outbox numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from otpkeep.server.db.outbox import count_by_state

if TYPE_CHECKING:
    from collections.abc import Iterator

    from prometheus_client import Metric
    from sqlalchemy.engine import Engine

STATES = ("waiting", "sent", "given_up")


def outbox_counts(engine: Engine) -> dict[str, int]:
    """How many outbox rows are waiting, sent, and given up (settled rows are purged later)."""
    return dict.fromkeys(STATES, 0) | count_by_state(engine)


class OutboxCollector(Collector):
    """Reports the outbox's state and whether the database answered, at each scrape."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[Metric]:
        """No description up front: collecting queries the database."""
        return []

    def collect(self) -> Iterator[Metric]:
        """``otpkeep_database_up`` and ``otpkeep_mail_outbox_messages{state}``."""
        up = GaugeMetricFamily("otpkeep_database_up", "1 when the database answered the scrape.")
        try:
            counts = outbox_counts(self.engine)
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        outbox = GaugeMetricFamily(
            "otpkeep_mail_outbox_messages",
            "Outbox messages by state, for the whole service (take max across processes).",
            labels=["state"],
        )
        for name in STATES:
            outbox.add_metric([name], counts[name])
        yield outbox
