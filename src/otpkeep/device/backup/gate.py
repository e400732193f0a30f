"""The ecosystem gate: backup can be enabled only with an account of the operator's ecosystem.

The ecosystem comes from ``GET /v1/config`` and is cached in the vault
(``state["config"]``): the last copy serves offline, and a built-in default serves
before the first contact.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any, ClassVar

import pydantic

from otpkeep.errors import ServiceError
from otpkeep.protocol import defaults
from otpkeep.protocol import messages as m
from otpkeep.protocol.ecosystem import DEFAULT_ECOSYSTEM

if TYPE_CHECKING:
    from collections.abc import Iterable

    from otpkeep.device.client import ServiceClient
    from otpkeep.device.vault import Vault
    from otpkeep.device.vault.data import StoredAccount, VaultData

DEFAULT_CONFIG = defaults.config(DEFAULT_ECOSYSTEM)


class ConfigCache:
    """The ``config`` section of the vault: the last ``GET /v1/config``, when and from whom."""

    NAME: ClassVar[str] = "config"

    def __init__(
        self, config: m.ServiceConfig | None = None, fetched_at: float = 0.0, server_url: str = ""
    ) -> None:
        self.config = config
        self.fetched_at = fetched_at
        self.server_url = server_url

    @classmethod
    def from_json(cls, raw: object) -> ConfigCache:
        """The stored copy; an unreadable one (from another version, say) reads as none."""
        if not isinstance(raw, dict):
            return cls()
        try:
            config = m.ServiceConfig.model_validate(raw.get("config"))
        except pydantic.ValidationError:
            return cls()
        fetched_at = raw.get("fetched_at")
        server_url = raw.get("server_url")
        return cls(
            config,
            float(fetched_at) if isinstance(fetched_at, int | float) else 0.0,
            server_url if isinstance(server_url, str) else "",
        )

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "config": None if self.config is None else self.config.model_dump(mode="json"),
            "fetched_at": self.fetched_at,
            "server_url": self.server_url,
        }


def cached_config(data: VaultData) -> m.ServiceConfig:
    """The last config the service sent, else the built-in default."""
    return data.state.get(ConfigCache).config or DEFAULT_CONFIG


def refresh_config(vault: Vault, client: ServiceClient, *, now: float) -> m.ServiceConfig:
    """Fetch the config and cache it; offline, the cached copy (or the default)."""
    try:
        config = client.config()
    except ServiceError:
        return cached_config(vault.load())
    with vault.transaction() as data:
        data.state.put(ConfigCache(config, now, client.base_url))
    return config


# A word: letters and digits, joined by hyphens or underscores ("heroku-fan" is one
# word, as in user names and host labels); every other character separates words.
_WORD = re.compile(r"[^\W_]+(?:[-_][^\W_]+)*")
_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]")
_TRIM = "()[]<>{},;:!?\"'`*|."


def _host_of(token: str) -> str | None:
    """The host name a token names: a domain, an e-mail address or a URL; else None."""
    if "://" in token:
        token = token.split("://", 1)[1]
    token = token.split("/", 1)[0].rsplit("@", 1)[-1].strip(_TRIM)
    return token if _HOST.fullmatch(token) else None


def _read(text: str) -> tuple[list[str], list[str]]:
    """The host names and the words of ``text``, case folded."""
    hosts: list[str] = []
    words: list[str] = []
    for token in text.casefold().split():
        host = _host_of(token)
        if host is not None:
            hosts.append(host)
        else:
            words.extend(_WORD.findall(token))
    return hosts, words


class EcosystemMatcher:
    """Which member of an ecosystem an account belongs to.

    An issuer or account name belongs to a member when it names one of the
    member's domains (the domain itself or a host below it, alone, in an e-mail
    address or a URL), or holds one of the member's names or aliases as whole
    words, ignoring case and punctuation. A one-word name may stand anywhere
    ("Salesforce (work)"); a name of several words must start the field, so
    "Oracle Sales Cloud" is not Sales Cloud. Names inside a host name do not
    count ("salesforce-fan-club.example"), nor inside a longer word. The issuer
    decides before the account name; within a field the most specific match wins
    (most words, or most labels of a domain).
    """

    def __init__(self, ecosystem: Iterable[m.EcosystemMember]) -> None:
        self._names: list[tuple[tuple[str, ...], str]] = []
        self._domains: list[tuple[str, str]] = []
        for member in ecosystem:
            for alias in (member.name, *member.aliases):
                host = _host_of(alias.casefold().strip())
                if host is not None:
                    self._domains.append((host, member.name))
                words = tuple(_WORD.findall(alias.casefold()))
                if words and host is None:
                    self._names.append((words, member.name))
            self._domains.extend(
                (domain.casefold().strip(". "), member.name) for domain in member.domains if domain
            )

    def _best(self, text: str) -> str | None:
        hosts, words = _read(text)
        found: list[tuple[int, str]] = []
        for host in hosts:
            found += [
                (domain.count(".") + 1, member)
                for domain, member in self._domains
                if host == domain or host.endswith("." + domain)
            ]
        for name, member in self._names:
            hit = name[0] in words if len(name) == 1 else tuple(words[: len(name)]) == name
            if hit:
                found.append((len(name), member))
        if not found:
            return None
        return max(found, key=lambda pair: pair[0])[1]

    def match(self, issuer: str, name: str) -> str | None:
        """The member's name for an account with this issuer and name, or None."""
        for text in (issuer, name):
            member = self._best(text)
            if member is not None:
                return member
        return None


def member_of(stored: StoredAccount, ecosystem: Iterable[m.EcosystemMember]) -> str | None:
    """The ecosystem member a live account belongs to, or None (see EcosystemMatcher)."""
    if stored.account is None or stored.deleted:
        return None
    return EcosystemMatcher(ecosystem).match(stored.account.issuer, stored.account.name)


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
    matcher = EcosystemMatcher(config.ecosystem)
    members = [
        matcher.match(stored.account.issuer, stored.account.name)
        for stored in data.live()
        if stored.account is not None
    ]
    found = tuple(dict.fromkeys(name for name in members if name))
    return Gate(
        open=bool(found),
        members=found,
        ecosystem=tuple(member.name for member in config.ecosystem),
    )
