"""The ecosystem gate: which accounts open it, and the config cache behind it."""

from otpkeep.device.backup.gate import DEFAULT_CONFIG, cached_config, check_gate, member_of
from otpkeep.device.vault.data import StoredAccount, VaultData
from otpkeep.device.vault.state import VaultState
from otpkeep.otp.account import Account
from otpkeep.protocol import messages as m


def stored(issuer: str, name: str = "me") -> StoredAccount:
    return StoredAccount("x" + issuer + name, Account(issuer, name, b"k"), 1)


def test_member_matches_name_or_domain_case_insensitively() -> None:
    """Issuer equal to a member's name, or issuer/name containing a domain, matches."""
    eco = DEFAULT_CONFIG.ecosystem
    assert member_of(stored("heroku"), eco) == "Heroku"
    assert member_of(stored("Acme", "me@MuleSoft.com"), eco) == "MuleSoft"
    assert member_of(stored("login.salesforce.com"), eco) == "Salesforce.com"
    assert member_of(stored("GitHub", "heroku-fan"), eco) is None
    assert member_of(StoredAccount("t", None, 1, deleted=True), eco) is None


def test_gate_opens_only_with_a_live_member_account() -> None:
    """No ecosystem account: closed, naming the ecosystem; one account: open."""
    data = VaultData()
    data.add(Account("GitHub", "me", b"k"), 1)
    gate = check_gate(data, DEFAULT_CONFIG)
    assert not gate.open
    assert gate.names().startswith("Salesforce.com, Commerce Cloud")
    assert gate.names().endswith(" or Tableau")
    added = data.add(Account("Tableau", "me", b"k2"), 2)
    assert added is not None
    assert check_gate(data, DEFAULT_CONFIG).members == ("Tableau",)
    data.remove(added.id, 3)
    assert not check_gate(data, DEFAULT_CONFIG).open


def test_config_from_the_service_replaces_the_default() -> None:
    """An operator's own ecosystem is used once cached; a damaged cache falls back."""
    config = DEFAULT_CONFIG.model_copy(
        update={"ecosystem": [m.EcosystemMember(name="Acme", domains=["acme.test"])]}
    )
    data = VaultData(state=VaultState({"config": {"config": config.model_dump(mode="json")}}))
    assert cached_config(data).ecosystem[0].name == "Acme"
    data.add(Account("GitHub", "me@acme.test", b"k"), 1)
    assert check_gate(data, cached_config(data)).open
    broken = VaultData(state=VaultState({"config": {"config": {"ecosystem": "nope"}}}))
    assert cached_config(broken) is DEFAULT_CONFIG
