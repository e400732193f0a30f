"""Find accounts by a query: a case-insensitive substring of the issuer or the name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.errors import AmbiguousQueryError, NotFoundError

if TYPE_CHECKING:
    from otpkeep.device.vault.data import StoredAccount, VaultData


def find(data: VaultData, query: str | None) -> list[StoredAccount]:
    """The live accounts the query matches, in vault order; all of them for no query."""
    live = data.live()
    if not query:
        return live
    return [
        stored for stored in live if stored.account is not None and stored.account.matches(query)
    ]


def label_of(stored: StoredAccount) -> str:
    """``Issuer: name`` of a stored account."""
    return "(deleted)" if stored.account is None else stored.account.label


def find_one(data: VaultData, query: str) -> StoredAccount:
    """The one account the query names; NotFoundError or AmbiguousQueryError otherwise."""
    matches = find(data, query)
    if not matches:
        raise NotFoundError(f"No account matches {query[:60]!r}: see otpkeep list.")
    if len(matches) > 1:
        raise AmbiguousQueryError(
            f"{query[:60]!r} matches {len(matches)} accounts; give more of the issuer or name:",
            [label_of(stored) for stored in matches],
        )
    return matches[0]
