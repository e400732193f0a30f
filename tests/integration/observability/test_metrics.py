"""The service's /metrics, /readyz and request metrics, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine

from otpkeep.errors import MailDeliveryError
from otpkeep.server.mail import outbox
from otpkeep.server.observability import Instruments

OUTBOX_KEY = bytes(range(32))
"""The key these tests seal outbox bodies with (a service derives it from its seed)."""

if TYPE_CHECKING:
    from service_harness import ServiceHarness


def metrics_headers(service: ServiceHarness) -> dict[str, str]:
    """The scraper's header: the service's metrics token."""
    token = service.settings.metrics_token
    assert token is not None
    return {"Authorization": f"Bearer {token.get_secret_value()}"}


def samples(service: ServiceHarness) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the service's /metrics, by name and labels."""
    answer = service.client.get("/metrics", headers=metrics_headers(service))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(service: ServiceHarness, name: str, **labels: str) -> float:
    """One sample's value (0 when absent)."""
    return samples(service).get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_route_template_and_status(service: ServiceHarness) -> None:
    """A request is counted under its route template, so a token in a URL never reaches metrics."""
    service.client.get("/v1/config")
    service.client.get("/v/secret-looking-token-123")
    service.client.get("/no/such/page")

    text = service.client.get("/metrics", headers=metrics_headers(service)).text
    assert (
        value(
            service, "otpkeep_http_requests_total", method="GET", route="/v1/config", status="200"
        )
        == 1
    )
    assert (
        value(
            service, "otpkeep_http_requests_total", method="GET", route="(unmatched)", status="404"
        )
        == 1
    )
    assert 'route="/v/{token}"' in text
    assert "secret-looking-token-123" not in text
    assert (
        value(
            service, "otpkeep_http_request_duration_seconds_count", method="GET", route="/v1/config"
        )
        == 1
    )


def test_queued_and_delivered_mail_is_counted(service: ServiceHarness) -> None:
    """A code request counts one queued message; the outbox gauge shows it waiting, then sent."""
    started = service.client.post(
        "/v1/verifications", json={"email": "count@example.com", "purpose": "enable"}
    )
    assert started.status_code == 202

    assert value(service, "otpkeep_mail_queued_total", template="verification_code") == 1
    assert value(service, "otpkeep_mail_outbox_messages", state="waiting") == 1
    service.deliver()
    assert value(service, "otpkeep_mail_outbox_messages", state="waiting") == 0
    assert value(service, "otpkeep_mail_outbox_messages", state="sent") == 1
    assert value(service, "otpkeep_database_up") == 1


def test_a_rolled_back_transaction_counts_nothing(service: ServiceHarness) -> None:
    """Mail written in a transaction that rolls back is not counted; the same mail committed is."""
    runtime = service.app.state.runtime
    now = dt.datetime.now(dt.UTC)
    with runtime.sessions() as db:
        outbox.enqueue(
            db, key=OUTBOX_KEY, to="a@example.com", template="backup_enabled", context={}, now=now
        )
        db.flush()
        db.rollback()
    assert value(service, "otpkeep_mail_queued_total", template="backup_enabled") == 0
    with runtime.sessions() as db:
        outbox.enqueue(
            db, key=OUTBOX_KEY, to="a@example.com", template="backup_enabled", context={}, now=now
        )
        db.commit()
    assert value(service, "otpkeep_mail_queued_total", template="backup_enabled") == 1


def test_readiness_follows_the_database(service: ServiceHarness) -> None:
    """/readyz is 200 while the database answers and the stable 503 when it does not."""
    assert service.client.get("/readyz").json() == {"status": "ready"}
    runtime = service.app.state.runtime
    unreachable = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    service.app.state.runtime = dataclasses.replace(runtime, engine=unreachable)
    try:
        answer = service.client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "service_unavailable"
        assert service.client.get("/healthz").status_code == 200
    finally:
        service.app.state.runtime = runtime
        unreachable.dispose()


def test_metrics_and_readiness_stay_out_of_the_api_description(service: ServiceHarness) -> None:
    """/metrics is not in /openapi.json (it is for the internal network); /readyz is."""
    paths = service.client.get("/openapi.json").json()["paths"]
    assert "/metrics" not in paths
    assert "/readyz" in paths


class RefusingMailer:
    """A mailer whose server refuses every message."""

    def send(self, message: EmailMessage) -> None:
        raise MailDeliveryError("The mail server refused the message.")


class KeepingMailer:
    """A mailer that keeps what it is given."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


def test_the_counting_mailer_counts_deliveries_and_refusals() -> None:
    """Each message taken counts as sent, each refusal as failed, and the refusal still raises."""
    instruments = Instruments()
    keeping = KeepingMailer()
    instruments.counted(keeping).send(EmailMessage())
    with pytest.raises(MailDeliveryError):
        instruments.counted(RefusingMailer()).send(EmailMessage())

    assert len(keeping.sent) == 1
    assert instruments.mail_sent._value.get() == 1
    assert instruments.mail_failed._value.get() == 1
