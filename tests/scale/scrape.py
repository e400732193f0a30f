"""Reading the services' own numbers: Prometheus metrics and the outbox table."""

from __future__ import annotations

import time

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

METRICS_TOKEN = "scale-metrics-token"
"""The metrics token every service process of the scale tests is started with."""


def metric(url: str, name: str, **labels: str) -> float:
    """The sum of the samples of ``name`` (with ``labels``) that the process at ``url`` serves."""
    answer = httpx.get(
        f"{url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    answer.raise_for_status()
    total = 0.0
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


def outbox_rows(database_url: str) -> list[tuple[str, str, bool]]:
    """Every outbox row as (Message-ID, template, sent)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT message_id, template, sent_at IS NOT NULL FROM outbox_messages")
            ).all()
    finally:
        engine.dispose()
    return [(str(row[0]), str(row[1]), bool(row[2])) for row in rows]


def wait_outbox_sent(database_url: str, *, timeout: float = 60.0) -> list[tuple[str, str, bool]]:
    """The outbox once every row is sent; fails if some row is still unsent after ``timeout``."""
    deadline = time.monotonic() + timeout
    rows = outbox_rows(database_url)
    while time.monotonic() < deadline:
        if all(sent for _, _, sent in rows):
            return rows
        time.sleep(0.2)
        rows = outbox_rows(database_url)
    unsent = [template for _, template, sent in rows if not sent]
    raise AssertionError(f"{len(unsent)} outbox messages were not delivered: {unsent[:10]}")
