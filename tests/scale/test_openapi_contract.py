"""Schemathesis against the service's own /openapi.json: no 5xx, every answer as documented."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

import escrowkit

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def session_headers(service: Any) -> dict[str, str]:
    """A full device session on the test service, so the generated requests get past sign-in."""
    return escrowkit.enabled(service, "contract@example.com").headers


@pytest.fixture
def api(service: Any) -> Any:
    """The service's OpenAPI document, loaded from the running app."""
    return schemathesis.openapi.from_asgi("/openapi.json", service.app)


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx_or_off_schema(case: Any, session_headers: dict[str, str]) -> None:
    """Generated requests, signed in or not, never get a 5xx nor an answer off the schema."""
    case.call_and_validate(checks=CHECKS)
    case.call_and_validate(headers=session_headers, checks=CHECKS)
