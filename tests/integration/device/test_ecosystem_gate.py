"""The ecosystem gate on real-world accounts: the device's offline default and the service agree.

Each row is an issuer and account name as services and authenticators write them,
and the member it belongs to (None: not the ecosystem). The same table runs
against the device's built-in default and against the list the service publishes
in ``GET /v1/config``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from otpkeep.device.backup.gate import DEFAULT_CONFIG, EcosystemMatcher, check_gate
from otpkeep.device.vault.data import VaultData
from otpkeep.otp.account import Account
from otpkeep.protocol import messages as m
from otpkeep.server.settings import DEFAULT_ECOSYSTEM

if TYPE_CHECKING:
    from service_harness import ServiceFactory, ServiceHarness

TABLE: list[tuple[str, str, str | None]] = [
    # What the services themselves put in their QR codes.
    ("Salesforce", "ana@example.com", "Salesforce.com"),
    ("salesforce.com", "ana@example.com", "Salesforce.com"),
    ("Salesforce.com", "ana", "Salesforce.com"),
    ("Salesforce Commerce Cloud", "ana@example.com", "Commerce Cloud"),
    ("Commerce Cloud", "ana", "Commerce Cloud"),
    ("B2C Commerce", "ana@example.com", "Commerce Cloud"),
    ("Demandware", "admin", "Commerce Cloud"),
    ("Tableau", "ana@example.com", "Tableau"),
    ("Tableau Cloud", "ana@example.com", "Tableau"),
    ("Tableau Online", "ana", "Tableau"),
    ("MuleSoft", "ana", "MuleSoft"),
    ("Anypoint Platform", "ana@example.com", "MuleSoft"),
    ("MuleSoft Anypoint Platform", "ana", "MuleSoft"),
    ("Marketing Cloud", "ana", "Marketing Cloud"),
    ("Salesforce Marketing Cloud", "ana@example.com", "Marketing Cloud"),
    ("ExactTarget", "ana", "Marketing Cloud"),
    ("Quip", "ana@example.com", "Quip"),
    ("Heroku", "ana@example.com", "Heroku"),
    ("Sales Cloud", "ana", "Sales Cloud"),
    # Case, punctuation and decoration.
    ("SALESFORCE", "ana", "Salesforce.com"),
    ("salesforce (work)", "ana", "Salesforce.com"),
    ("Heroku:", "ana", "Heroku"),
    ("Tableau, Inc.", "ana", "Tableau"),
    ("MuleSoft®", "ana", "MuleSoft"),
    ("  quip  ", "ana", "Quip"),
    # Host names, e-mail addresses and URLs at the members' domains.
    ("acme.my.salesforce.com", "ana", "Salesforce.com"),
    ("login.salesforce.com", "ana", "Salesforce.com"),
    ("acme--dev.sandbox.my.salesforce.com", "ana", "Salesforce.com"),
    ("acme.lightning.force.com", "ana", "Salesforce.com"),
    ("https://acme.my.salesforce.com/", "ana", "Salesforce.com"),
    ("", "ana@acme.my.salesforce.com", "Salesforce.com"),
    ("Acme SSO", "ana@heroku.com", "Heroku"),
    ("dashboard.heroku.com", "ana", "Heroku"),
    ("", "ana@online.tableau.com", "Tableau"),
    ("prod-useast-a.online.tableau.com", "ana", "Tableau"),
    ("anypoint.mulesoft.com", "ana", "MuleSoft"),
    ("acme.quip.com", "ana", "Quip"),
    ("mc.s7.exacttarget.com", "ana", "Marketing Cloud"),
    ("", "Salesforce", "Salesforce.com"),
    # Not the ecosystem: other services, and false friends.
    ("GitHub", "ana@example.com", None),
    ("Google", "ana@gmail.com", None),
    ("Microsoft", "ana@outlook.com", None),
    ("Amazon Web Services", "ana", None),
    ("Salesforce-fan-club.example", "ana", None),
    ("salesforce.example.com", "ana", None),
    ("notsalesforce.com", "ana", None),
    ("force.com.evil.example", "ana", None),
    ("GitHub", "heroku-fan", None),
    ("Superherokuapp", "ana", None),
    ("Herokuish", "ana", None),
    ("Tableaux d'honneur", "ana", None),
    ("Oracle Sales Cloud", "ana", None),
    ("Adobe Commerce Cloud", "ana", None),
    ("Oracle Marketing Cloud", "ana", None),
    ("Anywhere Platform", "ana", None),
    ("Mule", "ana", None),
    ("", "ana@example.com", None),
    ("", "", None),
]


def _answers(ecosystem: list[m.EcosystemMember]) -> list[str | None]:
    matcher = EcosystemMatcher(ecosystem)
    return [matcher.match(issuer, name) for issuer, name, _ in TABLE]


def test_the_table_is_large_and_has_both_sides() -> None:
    """At least 40 pairs, with members and non-members both well represented."""
    assert len(TABLE) >= 40
    assert sum(expected is None for *_, expected in TABLE) >= 15
    assert {expected for *_, expected in TABLE} >= {m.name for m in DEFAULT_ECOSYSTEM}


@pytest.mark.parametrize(("issuer", "name", "expected"), TABLE)
def test_the_device_default_gives_the_expected_member(
    issuer: str, name: str, expected: str | None
) -> None:
    """The offline default matches each real-world issuer and name as the table says."""
    data = VaultData()
    data.add(Account(issuer, name, b"0123456789"), 1)
    gate = check_gate(data, DEFAULT_CONFIG)
    assert gate.open is (expected is not None)
    assert gate.members == ((expected,) if expected else ())


def test_the_service_publishes_the_device_default_and_it_gives_the_same_answers(
    service: ServiceHarness,
) -> None:
    """GET /v1/config lists the same members, aliases and domains; every answer is the same."""
    answer = service.client.get("/v1/config")
    assert answer.status_code == 200
    published = m.ServiceConfig.model_validate(answer.json()).ecosystem
    assert published == DEFAULT_CONFIG.ecosystem
    assert _answers(published) == _answers(DEFAULT_CONFIG.ecosystem)
    assert _answers(published) == [expected for *_, expected in TABLE]


def test_an_operator_list_with_aliases_is_published_and_matched(
    service_factory: ServiceFactory,
) -> None:
    """An operator's aliases travel in /v1/config and open the gate for those names."""
    acme = {"name": "Acme", "aliases": ["Acme Cloud", "Roadrunner"], "domains": ["acme.test"]}
    service = service_factory(ecosystem=[acme])
    published = m.ServiceConfig.model_validate(service.client.get("/v1/config").json()).ecosystem
    matcher = EcosystemMatcher(published)
    assert matcher.match("Roadrunner", "ana") == "Acme"
    assert matcher.match("Acme Cloud", "ana") == "Acme"
    assert matcher.match("", "ana@eu.acme.test") == "Acme"
    assert matcher.match("Salesforce", "ana") is None
