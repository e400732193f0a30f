"""The default ecosystem: the members whose accounts open the backup gate. Data only.

One truth for both sides: the service publishes it in ``GET /v1/config`` unless
the operator configures another list (``OTPKEEP_ECOSYSTEM`` or ``[[ecosystem]]``
in the TOML file, with the same three fields), and the device uses it offline
before it has heard from a service.

Each member has a ``name`` (shown to people), ``aliases`` (other names the
member's accounts are issued under: product names, former names) and
``domains`` (names at the domain or any host below it belong to the member).
How accounts are matched against them is the device's gate (``device/gate.py``):
on whole words, ignoring case and punctuation, in the issuer and the account name.
"""

from __future__ import annotations

from otpkeep.protocol.messages import EcosystemMember

DEFAULT_ECOSYSTEM: tuple[EcosystemMember, ...] = (
    EcosystemMember(
        name="Salesforce.com",
        aliases=["Salesforce", "Salesforce Platform", "Lightning Platform"],
        domains=["salesforce.com", "force.com", "my.salesforce.com", "salesforce-setup.com"],
    ),
    EcosystemMember(
        name="Commerce Cloud",
        aliases=[
            "Salesforce Commerce Cloud",
            "B2C Commerce",
            "B2B Commerce",
            "Demandware",
            "SFCC",
        ],
        domains=["commercecloud.salesforce.com", "demandware.com", "demandware.net"],
    ),
    EcosystemMember(
        name="Heroku",
        aliases=["Heroku Dashboard", "Salesforce Heroku"],
        domains=["heroku.com"],
    ),
    EcosystemMember(
        name="Sales Cloud",
        aliases=["Salesforce Sales Cloud"],
        domains=["salescloud.salesforce.com"],
    ),
    EcosystemMember(
        name="Marketing Cloud",
        aliases=["Salesforce Marketing Cloud", "ExactTarget", "Pardot", "Account Engagement"],
        domains=["marketingcloud.com", "exacttarget.com", "marketingcloudapps.com", "pardot.com"],
    ),
    EcosystemMember(
        name="MuleSoft",
        aliases=["Anypoint Platform", "MuleSoft Anypoint Platform", "Anypoint"],
        domains=["mulesoft.com", "anypoint.mulesoft.com"],
    ),
    EcosystemMember(
        name="Quip",
        aliases=["Salesforce Quip"],
        domains=["quip.com"],
    ),
    EcosystemMember(
        name="Tableau",
        aliases=["Tableau Cloud", "Tableau Online", "Tableau Server", "Tableau Public"],
        domains=["tableau.com", "online.tableau.com"],
    ),
)
"""The members in the order people read them: ``Salesforce.com, ... or Tableau``."""
