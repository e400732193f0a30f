"""Merging two devices' accounts: union by id, the later change wins by count, nothing is lost.

"Later" is the account's change count (``rev``); the clock time of a change
(``updated_at``) is set against it in these tests on purpose, and never decides.
"""

from hypothesis import given
from hypothesis import strategies as st

from otpkeep.device.backup.merge import merge
from otpkeep.device.vault.data import StoredAccount, VaultData
from otpkeep.otp.account import Account, Algorithm, OtpType


def live(
    id_: str, rev: int, *, name: str = "alice", secret: bytes = b"s1", counter: int = 0
) -> StoredAccount:
    kind = OtpType.HOTP if counter else OtpType.TOTP
    account = Account("Heroku", name, secret, type=kind, counter=counter)
    # A clock running backwards as the changes go on: it must not matter.
    return StoredAccount(id=id_, account=account, updated_at=1000 - rev, rev=rev)


def gone(id_: str, rev: int) -> StoredAccount:
    return StoredAccount(id=id_, account=None, updated_at=1000 - rev, deleted=True, rev=rev)


def names(accounts: dict[str, StoredAccount]) -> dict[str, str | None]:
    return {i: (s.account.name if s.account else None) for i, s in accounts.items()}


def test_union_keeps_accounts_from_both_sides() -> None:
    """An account present on only one side is in the result."""
    result = merge([live("a", 1)], [live("b", 2, name="bob", secret=b"s2")])
    assert names(result.accounts) == {"a": "alice", "b": "bob"}
    assert [s.id for s in result.added] == ["b"]


def test_later_change_wins_whatever_the_clocks() -> None:
    """For the same id, the change counted later wins on either side, though its clock says
    it was made earlier."""
    result = merge([live("a", 5, name="new")], [live("a", 3, name="old")])
    assert names(result.accounts) == {"a": "new"}
    result = merge([live("a", 3, name="old")], [live("a", 5, name="new")])
    assert names(result.accounts) == {"a": "new"}
    assert [s.id for s in result.changed] == ["a"]


def test_tombstone_wins_a_tie_and_a_later_deletion_removes() -> None:
    """A deletion concurrent with an edit wins; a later deletion removes the account."""
    assert merge([live("a", 5)], [gone("a", 5)]).accounts["a"].deleted
    assert merge([gone("a", 5)], [live("a", 5)]).accounts["a"].deleted
    result = merge([live("a", 5)], [gone("a", 6)])
    assert result.accounts["a"].deleted
    assert [s.id for s in result.removed] == ["a"]


def test_edit_after_deletion_revives() -> None:
    """An edit made after seeing the deletion brings the account back."""
    result = merge([gone("a", 5)], [live("a", 7)])
    assert not result.accounts["a"].deleted
    assert [s.id for s in result.added] == ["a"]


def test_hotp_keeps_the_higher_counter() -> None:
    """An HOTP account never goes back to a counter already used on another device."""
    result = merge([live("a", 9, counter=3)], [live("a", 4, counter=8)])
    stored = result.accounts["a"]
    assert stored.account is not None
    assert stored.account.counter == 8


def test_same_account_added_on_two_devices_becomes_one() -> None:
    """The same secret, issuer and name under two ids folds into the smaller id."""
    result = merge([live("b", 1)], [live("a", 2)])
    living = [i for i, s in result.accounts.items() if not s.deleted]
    assert living == ["a"]


ids = st.sampled_from(["a", "b", "c", "d"])
entries = st.builds(
    lambda id_, at, deleted, n: (
        gone(id_, at) if deleted else live(id_, at, name=f"n{n}", secret=bytes([65 + n]))
    ),
    ids,
    st.integers(0, 5),
    st.booleans(),
    st.integers(0, 3),
)
sides = st.lists(entries, max_size=6).map(lambda xs: list({s.id: s for s in xs}.values()))


@given(sides, sides)
def test_merge_is_commutative_and_loses_no_account(
    left: list[StoredAccount], right: list[StoredAccount]
) -> None:
    """Both devices compute the same accounts, and every id of either side is present."""
    one = merge(left, right).accounts
    two = merge(right, left).accounts
    assert {i: (s.deleted, s.account) for i, s in one.items()} == {
        i: (s.deleted, s.account) for i, s in two.items()
    }
    assert {s.id for s in left} | {s.id for s in right} == set(one)
    survivors = {s.account.identity() for s in one.values() if s.account and not s.deleted}
    for stored in left + right:
        if stored.account is None or stored.deleted:
            continue
        # Every live account survives, unless a change to it counted at least as late
        # replaced it.
        replaced = one[stored.id].rev >= stored.rev and one[stored.id] != stored
        assert stored.account.identity() in survivors or replaced


@given(sides, sides)
def test_merge_is_idempotent(left: list[StoredAccount], right: list[StoredAccount]) -> None:
    """Merging the result again with either side changes nothing."""
    once = merge(left, right).accounts
    again = merge(list(once.values()), right).accounts
    assert {i: (s.deleted, s.account) for i, s in once.items()} == {
        i: (s.deleted, s.account) for i, s in again.items()
    }


def test_accounts_that_differ_only_in_algorithm_both_stay() -> None:
    """The same secret and label with SHA1 and SHA256 gives other codes: a merge keeps both."""
    sha1 = StoredAccount("a", Account("Heroku", "alice", b"s1"), 1)
    sha256 = StoredAccount("b", Account("Heroku", "alice", b"s1", algorithm=Algorithm.SHA256), 1)
    result = merge([sha1, sha256], [])
    assert [s.account.algorithm.value for s in result.accounts.values() if s.account] == [
        "SHA1",
        "SHA256",
    ]
    assert not any(s.deleted for s in result.accounts.values())


def test_a_change_counts_one_more_than_the_one_it_replaces() -> None:
    """Removing, editing and bringing back an account each count one change more."""
    data = VaultData()
    stored = data.add(Account("Heroku", "alice", b"s1"), now=50)
    assert stored is not None
    assert stored.rev == 1
    data.update(stored.id, Account("Heroku", "alice2", b"s1"), now=10)
    assert data.accounts[stored.id].rev == 2
    data.remove(stored.id, now=5)
    assert data.accounts[stored.id].rev == 3
    back = data.add(Account("Heroku", "alice", b"s1"), now=1, id_=stored.id)
    assert back is not None
    assert back.rev == 4
