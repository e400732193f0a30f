"""Health, configuration, OpenAPI and the error answers every endpoint shares."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest

from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from service_harness import ServiceFactory, ServiceHarness


def test_healthz_answers_ok(service: ServiceHarness) -> None:
    """GET /healthz answers 200 with a status."""
    answer = service.client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}
    assert answer.headers["x-request-id"]


def test_config_publishes_the_default_ecosystem_and_policies(service: ServiceHarness) -> None:
    """GET /v1/config lists the default ecosystem, code policy, KDF defaults and limits."""
    config = service.client.get("/v1/config").json()
    names = [member["name"] for member in config["ecosystem"]]
    assert names == [
        "Salesforce.com",
        "Commerce Cloud",
        "Heroku",
        "Sales Cloud",
        "Marketing Cloud",
        "MuleSoft",
        "Quip",
        "Tableau",
    ]
    assert "heroku.com" in config["ecosystem"][2]["domains"]
    assert config["verification"]["code_length"] == 6
    assert config["verification"]["code_lifetime_seconds"] == 600
    assert config["limits"] == {
        "max_backup_bytes": 1024 * 1024,
        "versions_kept": 10,
        "recovery_tries": 10,
    }
    assert config["passcode"]["min_length"] == 4
    assert config["kdf"]["algorithm"] == "argon2id"


def test_config_takes_the_ecosystem_from_settings(service_factory: ServiceFactory) -> None:
    """An operator's ecosystem replaces the default one in /v1/config."""
    service = service_factory(ecosystem=[{"name": "Example Corp", "domains": ["example.org"]}])
    config = service.client.get("/v1/config").json()
    assert config["ecosystem"] == [
        {"name": "Example Corp", "aliases": [], "domains": ["example.org"]}
    ]


def test_openapi_describes_every_v1_path(service: ServiceHarness) -> None:
    """/openapi.json names the API's paths."""
    paths = service.client.get("/openapi.json").json()["paths"]
    for path in (
        "/v1/verifications",
        "/v1/verifications/{verification_id}/confirm",
        "/v1/passcode",
        "/v1/passcode/evaluate",
        "/v1/recovery/evaluate",
        "/v1/recovery/proof",
        "/v1/backup",
        "/v1/backup/versions/{version}",
        "/v1/devices/{device_id}",
        "/v1/account/export",
    ):
        assert path in paths


def test_unknown_path_is_not_found(service: ServiceHarness) -> None:
    """An unknown path answers 404 not_found as an ErrorBody."""
    answer = service.client.get("/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == ErrorCode.NOT_FOUND


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "not-an-address", "purpose": "enable"},
        {"email": "a@example.com", "purpose": "steal"},
        {"email": "a@example.com", "purpose": "enable", "extra": 1},
        "not json",
    ],
)
def test_malformed_requests_are_invalid_request(service: ServiceHarness, body: object) -> None:
    """Malformed JSON bodies answer 422 invalid_request and never echo the input."""
    answer = service.client.post("/v1/verifications", json=body)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == ErrorCode.INVALID_REQUEST
    assert "not-an-address" not in answer.text


def test_wrong_method_is_refused_with_an_error_body(service: ServiceHarness) -> None:
    """A method a path does not take answers 405 with an ErrorBody."""
    answer = service.client.patch("/v1/backup")
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == ErrorCode.METHOD_NOT_ALLOWED


def test_unexpected_failure_is_500_and_leaks_nothing(
    service: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """An exception nobody expected answers 500 internal_error without its message."""

    @service.app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail 8e1f")

    with caplog.at_level(logging.INFO):
        answer = service.client.get("/boom")
    assert answer.status_code == 500
    assert answer.json()["error"]["code"] == ErrorCode.INTERNAL_ERROR
    assert "8e1f" not in answer.text
    assert "8e1f" not in caplog.text
    assert "RuntimeError" in caplog.text


def test_every_request_is_logged_by_route_template(
    service: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """The access log names the route template and status, never the raw path."""
    with caplog.at_level(logging.INFO, logger="otpkeep.access"):
        service.client.get("/v/some-secret-token-value")
    lines = [record.getMessage() for record in caplog.records if record.name == "otpkeep.access"]
    assert any('"route": "/v/{token}"' in line and '"status": 404' in line for line in lines)
    assert "some-secret-token-value" not in caplog.text


def test_openapi_names_security_and_refusals_as_served(service: ServiceHarness) -> None:
    """Public endpoints declare no session, every other one the bearer scheme, and each
    operation lists the statuses of its table's refusals, with Retry-After where it waits."""
    from otpkeep.protocol import endpoints  # noqa: PLC0415

    document = service.client.get("/openapi.json").json()
    assert document["components"]["securitySchemes"]["session"]["scheme"] == "bearer"
    for endpoint in endpoints.ENDPOINTS:
        operation = document["paths"][endpoint.path][endpoint.method.lower()]
        if not endpoint.authenticated:
            assert "security" not in operation, endpoint.name
        elif endpoint.optional:
            assert operation["security"] == [{"session": []}, {}], endpoint.name
        else:
            assert operation["security"] == [{"session": []}], endpoint.name
        answers = operation["responses"]
        for code in endpoints.refusals_of(endpoint):
            assert code.value in answers[str(code.status)]["description"], endpoint.name
        assert "Retry-After" in answers["503"]["headers"]
    blinded = document["components"]["schemas"]["OprfRequest"]["properties"]["blinded_element"]
    assert blinded["contentEncoding"] == "base64url"
    assert blinded["pattern"] == "^[A-Za-z0-9_-]*={0,2}$"
