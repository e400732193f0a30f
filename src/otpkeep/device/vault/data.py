"""What the vault holds: the accounts (with tombstones) and the typed state of the device."""

from __future__ import annotations

from typing import Any

from otpkeep.device.vault.state import VaultState
from otpkeep.errors import NotFoundError, VaultCorruptError
from otpkeep.otp.account import (
    Account,
    Algorithm,
    DuplicateKey,
    OtpType,
    decode_base32,
    encode_base32,
)


def new_id() -> str:
    """A fresh account id: uuid4 hex."""
    import uuid  # noqa: PLC0415 - uuid imports `platform`; keep it off the read path

    return uuid.uuid4().hex


class StoredAccount:
    """One account as the vault keeps it; ``account`` is None for a tombstone.

    ``rev`` counts the account's changes: each change on any device takes the highest
    ``rev`` it has seen plus one, so a change made after seeing another always orders
    after it, whatever the devices' clocks say (merges order by it; see
    :mod:`otpkeep.device.backup.merge`). ``updated_at`` is when, by the clock of the
    device that made it, the last change was made: shown, never compared.

    An account read from a file is kept as its JSON until it is asked for (``otpkeep
    code QUERY`` builds only the matches, a backup writes the JSON back unchanged): see
    :meth:`lazy` and :meth:`to_json`.

    (Plain classes here, not dataclasses: ``dataclasses`` imports ``inspect``, which
    ``otpkeep code`` cannot afford at start-up.)
    """

    __slots__ = ("_account", "_raw", "deleted", "id", "rev", "updated_at")

    def __init__(
        self,
        id: str,  # noqa: A002 - the field's name in the vault and the backup
        account: Account | None,
        updated_at: int,
        *,
        deleted: bool = False,
        rev: int = 1,
    ) -> None:
        self.id = id
        self._account = account
        self._raw: dict[str, Any] | None = None
        self.updated_at = updated_at
        self.deleted = deleted
        self.rev = rev

    @classmethod
    def lazy(cls, id_: str, raw: dict[str, Any], updated_at: int, *, rev: int) -> StoredAccount:
        """A live account whose fields stay JSON (as :func:`account_to_json` writes them)
        until :attr:`account` is read; fields that do not read raise VaultCorruptError then."""
        stored = cls(id_, None, updated_at, rev=rev)
        stored._raw = raw
        return stored

    @property
    def account(self) -> Account | None:
        """The account (None for a tombstone)."""
        if self._account is None and self._raw is not None:
            try:
                self._account = account_from_json(self._raw)
            except (KeyError, TypeError, ValueError) as exc:
                raise VaultCorruptError(
                    "The vault holds an account otpkeep cannot read; it was left untouched."
                ) from exc
        return self._account

    @account.setter
    def account(self, account: Account | None) -> None:
        self._account = account
        self._raw = None

    def fields(self) -> dict[str, Any] | None:
        """The account's fields as JSON (:func:`account_to_json`): as read, until the account
        is replaced (reading it changes nothing); None for a tombstone."""
        if self._raw is not None:
            return self._raw
        return None if self._account is None else account_to_json(self._account)

    def mark(self) -> tuple[object, ...]:
        """What tells this account apart from its next change, without building it: the
        fields as read (or the account that replaced them), the time, the count."""
        return (
            self.id,
            self.rev,
            self.deleted,
            self.updated_at,
            self._raw if self._raw is not None else self._account,
        )

    def _values(self) -> tuple[object, ...]:
        return (self.id, self.fields(), self.updated_at, self.deleted, self.rev)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StoredAccount):
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return (
            f"StoredAccount(id={self.id!r}, account={self.account!r}, "
            f"updated_at={self.updated_at!r}, deleted={self.deleted!r}, rev={self.rev!r})"
        )


class VaultData:
    """The decrypted vault: accounts by id, in insertion order, and the typed ``state``."""

    __slots__ = ("accounts", "state")

    def __init__(
        self,
        accounts: dict[str, StoredAccount] | None = None,
        state: VaultState | None = None,
    ) -> None:
        self.accounts: dict[str, StoredAccount] = {} if accounts is None else accounts
        self.state = VaultState() if state is None else state

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VaultData):
            return NotImplemented
        return (self.accounts, self.state) == (other.accounts, other.state)

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return f"VaultData(accounts={len(self.accounts)}, state={list(self.state.names())})"

    def live(self) -> list[StoredAccount]:
        """The accounts that are not deleted, in insertion order."""
        return [stored for stored in self.accounts.values() if not stored.deleted]

    def find_same(self, account: Account) -> StoredAccount | None:
        """The live account ``account`` duplicates: the same codes under the same label.

        See :meth:`Account.duplicate_key`: the same secret with another type,
        algorithm, digits, period or counter is another account.
        """
        key = account.duplicate_key()
        for stored in self.live():
            if stored.account is not None and stored.account.duplicate_key() == key:
                return stored
        return None

    def add(self, account: Account, now: int, *, id_: str | None = None) -> StoredAccount | None:
        """Add an account; None when a live account already duplicates it (see find_same)."""
        if self.find_same(account) is not None:
            return None
        return self._insert(account, now, id_)

    def _insert(self, account: Account, now: int, id_: str | None) -> StoredAccount:
        id_ = id_ or new_id()
        before = self.accounts.pop(id_, None)  # a tombstone brought back: a later change
        rev = 1 if before is None else before.rev + 1
        stored = StoredAccount(id=id_, account=account, updated_at=now, rev=rev)
        self.accounts[stored.id] = stored
        return stored

    def index(self) -> AccountIndex:
        """An index of the live accounts for adding many at once in linear time."""
        return AccountIndex(self)

    def _get_live(self, id_: str) -> StoredAccount:
        stored = self.accounts.get(id_)
        if stored is None or stored.deleted:
            raise NotFoundError("That account is not in the vault (any more).")
        return stored

    def remove(self, id_: str, now: int) -> None:
        """Delete an account, leaving a tombstone so the deletion can be merged."""
        stored = self._get_live(id_)
        stored.account = None
        stored.deleted = True
        stored.updated_at = now
        stored.rev += 1

    def update(self, id_: str, account: Account, now: int) -> None:
        """Replace an account's fields (a new counter, a new name...)."""
        stored = self._get_live(id_)
        stored.account = account
        stored.updated_at = now
        stored.rev += 1


class AccountIndex:
    """The live accounts of one :class:`VaultData`, by duplicate key and by secret.

    Made for one batch of additions (an import): add through :meth:`add` while it
    lives, so it stays in step with the vault data.
    """

    __slots__ = ("_by_key", "_by_secret", "_data")

    def __init__(self, data: VaultData) -> None:
        self._data = data
        self._by_key: dict[DuplicateKey, StoredAccount] = {}
        self._by_secret: dict[bytes, list[StoredAccount]] = {}
        for stored in data.live():
            if stored.account is not None:
                self._remember(stored, stored.account)

    def _remember(self, stored: StoredAccount, account: Account) -> None:
        self._by_key.setdefault(account.duplicate_key(), stored)
        self._by_secret.setdefault(account.secret, []).append(stored)

    def find_same(self, account: Account) -> StoredAccount | None:
        """The live account ``account`` duplicates, as :meth:`VaultData.find_same`."""
        return self._by_key.get(account.duplicate_key())

    def same_secret(self, account: Account) -> list[StoredAccount]:
        """The live accounts with ``account``'s secret, whatever their settings and labels."""
        return list(self._by_secret.get(account.secret, ()))

    def add(self, account: Account, now: int) -> StoredAccount | None:
        """Add ``account`` unless a live account duplicates it (then None)."""
        if self.find_same(account) is not None:
            return None
        stored = self._data._insert(account, now, None)  # noqa: SLF001 - the index is its helper
        self._remember(stored, account)
        return stored


def account_to_json(account: Account) -> dict[str, Any]:
    """An account as the vault's JSON (the secret in base32)."""
    return {
        "issuer": account.issuer,
        "name": account.name,
        "secret": encode_base32(account.secret),
        "type": account.type.value,
        "algorithm": account.algorithm.value,
        "digits": account.digits,
        "period": account.period,
        "counter": account.counter,
    }


def account_from_json(raw: dict[str, Any]) -> Account:
    """The inverse of :func:`account_to_json`; raises KeyError/TypeError/ValueError on junk."""
    return Account(
        issuer=str(raw["issuer"]),
        name=str(raw["name"]),
        secret=decode_base32(str(raw["secret"])),
        type=OtpType(raw["type"]),
        algorithm=Algorithm(raw["algorithm"]),
        digits=int(raw["digits"]),
        period=int(raw["period"]),
        counter=int(raw["counter"]),
    )


def data_to_json(data: VaultData) -> dict[str, Any]:
    """The payload sealed into the vault file (without its schema number)."""
    return {
        "accounts": [
            {
                "id": stored.id,
                "updated_at": stored.updated_at,
                "rev": stored.rev,
                "deleted": stored.deleted,
                "account": None if stored.deleted else stored.fields(),
            }
            for stored in data.accounts.values()
        ],
        "state": data.state.to_json(),
    }


def data_from_json(raw: dict[str, Any]) -> VaultData:
    """The inverse of :func:`data_to_json`; raises KeyError/TypeError/ValueError on junk.

    The accounts' fields are read when first asked for (:meth:`StoredAccount.lazy`); the
    vault is sealed, so what it holds is what otpkeep wrote.
    """
    accounts: dict[str, StoredAccount] = {}
    for item in raw["accounts"]:
        id_ = item["id"]
        updated_at = item["updated_at"]
        rev = item.get("rev", 1)
        body = item["account"]
        if not (isinstance(id_, str) and isinstance(updated_at, int) and isinstance(rev, int)):
            raise TypeError("an account's id, time and change count are required")
        if item["deleted"] or body is None:
            stored = StoredAccount(id_, None, updated_at, deleted=True, rev=rev)
        elif isinstance(body, dict):
            stored = StoredAccount.lazy(id_, body, updated_at, rev=rev)
        else:
            raise TypeError("an account must be an object")
        accounts[stored.id] = stored
    state = raw["state"]
    if not isinstance(state, dict):
        raise TypeError("state must be an object")
    return VaultData(accounts=accounts, state=VaultState(state))
