"""The vault's state besides the accounts: typed sections, each owned by the module it serves.

A section is a class with a ``NAME`` (its key in the vault's JSON), ``from_json`` (which
reads what is stored, tolerating what an older or newer otpkeep wrote) and ``to_json``.
:meth:`VaultState.get` decodes a section on first use and hands out the same object for
the rest of the transaction, so edits are made on the typed object and written back when
the vault is saved; nothing outside a section's own class reads or writes its JSON.
Sections no code asks for (written by a newer otpkeep, say) are kept as they are.

The sections today: ``backup`` (:class:`otpkeep.device.backup.state.BackupState`),
``config`` (:class:`otpkeep.device.backup.gate.ConfigCache`) and ``tui``
(:class:`otpkeep.tui.notices.SeenNotices`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self, TypeVar

if TYPE_CHECKING:
    from collections.abc import Iterator


class Section(Protocol):
    """One typed part of the vault's state."""

    NAME: ClassVar[str]

    @classmethod
    def from_json(cls, raw: object) -> Self:
        """The section as stored (``None`` when there is none yet: its defaults)."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The section as it is stored."""
        ...


S = TypeVar("S", bound=Section)


class VaultState:
    """The sections of one snapshot or transaction of the vault."""

    __slots__ = ("_open", "_stored")

    def __init__(self, stored: dict[str, Any] | None = None) -> None:
        self._stored: dict[str, Any] = dict(stored or {})
        self._open: dict[str, Section] = {}

    def get(self, kind: type[S]) -> S:
        """The section ``kind`` (decoded on first use, then the same object)."""
        found = self._open.get(kind.NAME)
        if found is None:
            found = kind.from_json(self._stored.get(kind.NAME))
            self._open[kind.NAME] = found
        if not isinstance(found, kind):  # pragma: no cover - two classes with one NAME
            raise TypeError(f"the vault section {kind.NAME!r} is not a {kind.__name__}")
        return found

    def put(self, section: Section) -> None:
        """Replace a section as a whole (turning backup off, say)."""
        self._open[section.NAME] = section

    def to_json(self) -> dict[str, Any]:
        """Every section as stored, the decoded ones encoded again."""
        stored = dict(self._stored)
        for name, section in self._open.items():
            stored[name] = section.to_json()
        return stored

    def names(self) -> Iterator[str]:
        """The names of the sections there are."""
        yield from sorted(set(self._stored) | set(self._open))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VaultState):
            return NotImplemented
        return self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def __repr__(self) -> str:
        return f"VaultState(sections={list(self.names())})"
