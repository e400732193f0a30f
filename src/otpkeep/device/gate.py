"""The ecosystem gate: backup can be enabled only with an account of the operator's ecosystem.

The ecosystem comes from ``GET /v1/config`` and is cached in the vault
(``state["config"]``): the last copy serves offline, and a built-in default serves
before the first contact.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import pydantic

from otpkeep.errors import ServiceError
from otpkeep.protocol import defaults
from otpkeep.protocol import messages as m

if TYPE_CHECKING:
    from collections.abc import Iterable

    from otpkeep.device.client import ServiceClient
    from otpkeep.device.vault import Vault
    from otpkeep.device.vaultdata import StoredAccount, VaultData

SECTION = "config"

DEFAULT_ECOSYSTEM: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Salesforce.com", ("salesforce.com", "force.com")),
    ("Commerce Cloud", ("commercecloud.salesforce.com", "demandware.com")),
    ("Heroku", ("heroku.com",)),
    ("Sales Cloud", ("salesforce.com",)),
    ("Marketing Cloud", ("marketingcloud.com", "exacttarget.com")),
    ("MuleSoft", ("mulesoft.com",)),
    ("Quip", ("quip.com",)),
    ("Tableau", ("tableau.com",)),
)

DEFAULT_CONFIG = defaults.config(
    m.EcosystemMember(name=n, domains=list(d)) for n, d in DEFAULT_ECOSYSTEM
)


def cached_config(data: VaultData) -> m.ServiceConfig:
    """The last config the service sent, else the built-in default."""
    raw = data.state.get(SECTION)
    if isinstance(raw, dict):
        try:
            return m.ServiceConfig.model_validate(raw.get("config"))
        except pydantic.ValidationError:
            pass
    return DEFAULT_CONFIG


def refresh_config(vault: Vault, client: ServiceClient, *, now: float) -> m.ServiceConfig:
    """Fetch the config and cache it; offline, the cached copy (or the default)."""
    try:
        config = client.config()
    except ServiceError:
        return cached_config(vault.load())
    with vault.transaction() as data:
        data.state[SECTION] = {
            "config": config.model_dump(mode="json"),
            "fetched_at": now,
            "server_url": client.base_url,
        }
    return config


def member_of(stored: StoredAccount, ecosystem: Iterable[m.EcosystemMember]) -> str | None:
    """The ecosystem member an account belongs to, or None.

    The issuer or the account name equals a member's name (case-insensitive), or
    contains one of its domains.
    """
    if stored.account is None or stored.deleted:
        return None
    fields = (stored.account.issuer.casefold(), stored.account.name.casefold())
    for member in ecosystem:
        name = member.name.casefold()
        domains = [d.casefold() for d in member.domains if d]
        for text in fields:
            if text and (text == name or any(domain in text for domain in domains)):
                return member.name
    return None


@dataclasses.dataclass(frozen=True)
class Gate:
    """Whether backup can be enabled, and why."""

    open: bool
    members: tuple[str, ...]
    ecosystem: tuple[str, ...]

    def names(self) -> str:
        """The ecosystem's names for a sentence: ``A, B or C``."""
        names = list(self.ecosystem)
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " or " + names[-1]


def check_gate(data: VaultData, config: m.ServiceConfig) -> Gate:
    """Open when at least one live account belongs to the ecosystem."""
    members = [member_of(stored, config.ecosystem) for stored in data.live()]
    found = tuple(dict.fromkeys(name for name in members if name))
    return Gate(
        open=bool(found),
        members=found,
        ecosystem=tuple(member.name for member in config.ecosystem),
    )
