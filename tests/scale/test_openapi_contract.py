"""Schemathesis, every check, against the running service on SQLite and PostgreSQL.

The service is served by uvicorn on loopback and described by its own ``/openapi.json``.
Every generated request is sent twice: anonymously, and with the token of a full session
made with :func:`escrowkit.enabled` (so it reaches the use cases behind sign-in). No answer
may be a 5xx, and every answer must be one the document describes: its status, its
content type, its headers and its schema. ``OTPKEEP_FUZZ_EXAMPLES`` sets the examples per
operation (``make fuzz`` runs many, with the stateful links between operations as well).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

import escrowkit

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("OTPKEEP_FUZZ_EXAMPLES", "8"))
REFUSED = ["2XX", "400", "401", "403", "404", "409", "410", "412", "413", "422", "428", "429"]
"""What a request valid by the schema may still be answered: validity the schema cannot
state (a group element, a signature, a code that exists) is refused with its own code."""
CONFIG = schemathesis.Config.from_dict(
    {"checks": {"positive_data_acceptance": {"expected-statuses": REFUSED}}}
)


@pytest.fixture
def served(live_service: Any) -> Any:
    """The service on a real socket, with a full device session made on it."""
    live_service.device = escrowkit.enabled(live_service, "contract@example.com")
    return live_service


@pytest.fixture
def api(served: Any) -> Any:
    """The OpenAPI document the running service serves."""
    return schemathesis.openapi.from_url(f"{served.url}/openapi.json", config=CONFIG)


schema = schemathesis.pytest.from_fixture("api")


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_is_described_and_none_is_a_server_error(case: Any, served: Any) -> None:
    """Generated requests, signed in or not, get no 5xx and only answers the document
    describes."""
    case.call_and_validate()
    case.call_and_validate(headers=served.device.headers)


def test_sequences_of_calls_stay_described_and_never_fail(served: Any) -> None:
    """Chains of calls that feed one answer into the next request (the document's links),
    signed in, get no 5xx and only described answers."""
    api = schemathesis.openapi.from_url(f"{served.url}/openapi.json", config=CONFIG)
    headers = served.device.headers

    class SignedIn(api.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            del case
            return {"headers": headers}

    SignedIn.run(
        settings=settings(
            max_examples=max(2, EXAMPLES // 4),
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
    )
