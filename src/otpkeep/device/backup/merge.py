"""Merging two sets of accounts so that nothing is lost: pure functions, no I/O.

Accounts are matched by their stable id. For an id on both sides the later change wins,
and "later" is the account's change count (``rev``), never a clock: a change made on a
device that had seen the other change counts one more, so a removal is never undone by
a device whose clock runs ahead. Two changes made without seeing each other (the same
``rev``) are ordered the same on every device: a tombstone first, then by content. An
HOTP account keeps the higher counter of the two, so a code is never produced twice. An
account present on either side is present in the result. Two live accounts with
different ids that are duplicates (:meth:`~otpkeep.otp.account.Account.duplicate_key`:
the same codes under the same label, added separately on two devices) become one: the
smaller id is kept and the other turns into a tombstone, the same on every device. The
same secret with another algorithm, digits, period, counter or type is another account,
and stays.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from otpkeep.device.backup.payload import encode_payload
from otpkeep.device.vault.data import StoredAccount
from otpkeep.otp.account import OtpType

if TYPE_CHECKING:
    from collections.abc import Iterable

    from otpkeep.otp.account import DuplicateKey


@dataclasses.dataclass(frozen=True)
class MergeResult:
    """The merged accounts and what changed on the local side."""

    accounts: dict[str, StoredAccount]
    added: list[StoredAccount]
    changed: list[StoredAccount]
    removed: list[StoredAccount]


def _fingerprint(stored: StoredAccount) -> bytes:
    return encode_payload([stored])


def _pick(local: StoredAccount, remote: StoredAccount) -> StoredAccount:
    if local.rev != remote.rev:
        winner, loser = (local, remote) if local.rev > remote.rev else (remote, local)
    elif local.deleted or remote.deleted:
        return local if local.deleted else remote
    else:
        # Concurrent changes, both live: a deterministic choice, the same on every device.
        winner, loser = sorted((local, remote), key=_fingerprint, reverse=True)
    if (
        not winner.deleted
        and not loser.deleted
        and winner.account is not None
        and loser.account is not None
        and winner.account.type is OtpType.HOTP
        and winner.account.secret == loser.account.secret
        and loser.account.counter > winner.account.counter
    ):
        account = winner.account.replace(counter=loser.account.counter)
        return StoredAccount(
            winner.id, account, winner.updated_at, deleted=winner.deleted, rev=winner.rev
        )
    return winner


def _fold_duplicates(accounts: dict[str, StoredAccount]) -> None:
    by_key: dict[DuplicateKey, StoredAccount] = {}
    for id_ in sorted(accounts):
        stored = accounts[id_]
        if stored.deleted or stored.account is None:
            continue
        key = stored.account.duplicate_key()
        keeper = by_key.get(key)
        if keeper is None:
            by_key[key] = stored
            continue
        accounts[id_] = StoredAccount(
            id=id_,
            account=None,
            updated_at=max(keeper.updated_at, stored.updated_at),
            deleted=True,
            rev=stored.rev + 1,
        )


def merge(local: Iterable[StoredAccount], remote: Iterable[StoredAccount]) -> MergeResult:
    """Merge ``remote`` into ``local``; the result keeps local order, new ids at the end."""
    mine = {stored.id: stored for stored in local}
    merged = dict(mine)
    for theirs in remote:
        ours = merged.get(theirs.id)
        merged[theirs.id] = theirs if ours is None else _pick(ours, theirs)
    _fold_duplicates(merged)
    added: list[StoredAccount] = []
    changed: list[StoredAccount] = []
    removed: list[StoredAccount] = []
    for id_, stored in merged.items():
        before = mine.get(id_)
        if before is None:
            if not stored.deleted:
                added.append(stored)
        elif _fingerprint(before) != _fingerprint(stored):
            if stored.deleted and not before.deleted:
                removed.append(before)
            elif before.deleted and not stored.deleted:
                added.append(stored)
            else:
                changed.append(stored)
    return MergeResult(accounts=merged, added=added, changed=changed, removed=removed)
