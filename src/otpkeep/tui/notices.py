"""The notifications the app shows, and what the person saw or dismissed.

The list comes from :meth:`otpkeep.device.session.Session.notifications` (with the
security events fetched from the service, when online); the app keeps what was seen
and what was dismissed in its own section of the vault::

    state["tui"] = {"seen": [key, ...], "dismissed": [key, ...]}

A key is :attr:`Notification.key`. A key whose notification no longer applies is
forgotten, so a notification that becomes true again (a new failure, backup
turned off again) is new again. Security events are forgotten only once the service
has been asked, since offline they are merely unknown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from collections.abc import Iterable

    from otpkeep.device.notifications import Notification
    from otpkeep.device.vault.data import VaultData
    from otpkeep.protocol import messages as m
    from otpkeep.tui.context import Context

LISTS = ("seen", "dismissed")
NOT_COUNTED = frozenset({"offline"})
"""The kinds of notification the badge does not count (``Kind.OFFLINE``)."""
SECURITY = "security"
"""The kind of a security event's notification (``Kind.SECURITY``)."""


class SeenNotices:
    """The app's section of the vault: the keys of the notifications seen and dismissed."""

    NAME: ClassVar[str] = "tui"

    def __init__(self, seen: set[str] | None = None, dismissed: set[str] | None = None) -> None:
        self.lists: dict[str, set[str]] = {"seen": seen or set(), "dismissed": dismissed or set()}

    @classmethod
    def from_json(cls, raw: object) -> SeenNotices:
        """The stored lists; anything that is not a list of keys reads as empty."""
        lists: dict[str, set[str]] = {}
        for name in LISTS:
            keys = raw.get(name) if isinstance(raw, dict) else None
            lists[name] = {str(key) for key in keys} if isinstance(keys, list) else set()
        return cls(lists["seen"], lists["dismissed"])

    def to_json(self) -> dict[str, Any]:
        """The stored form: sorted lists."""
        return {name: sorted(keys) for name, keys in self.lists.items()}


def remembered(data: VaultData, name: str) -> set[str]:
    """The keys in the list ``name`` (``seen`` or ``dismissed``) of the app's section."""
    return set(data.state.get(SeenNotices).lists[name])


class Board:
    """The notifications of one run of the app: the service's last word, and the vault's.

    ``events`` are the security events of the last successful fetch (None before
    one), so a notification fetched online stays counted between fetches.
    """

    def __init__(self, context: Context) -> None:
        self.context = context
        self.events: list[m.Event] | None = None

    def gather(self, *, online: bool) -> list[Notification]:
        """Every notification now; ``online``: refresh the config and the security events.

        A device that never talked to a backup service (no session) stays offline: the
        app does not contact a service the person has not chosen. Slow when online:
        call it from a worker.
        """
        known = self.events if self.events is not None else []
        notices, events = self.context.session.notifications(online=online, events=known)
        if online and events is not None:
            self.events = events
        data = self.context.vault.load()
        self.forget_stale(notices, data, asked=online and events is not None)
        return notices

    def shown(self, notices: Iterable[Notification]) -> list[Notification]:
        """The notifications not dismissed."""
        dismissed = remembered(self.context.vault.load(), "dismissed")
        return [notice for notice in notices if notice.key not in dismissed]

    def unread(self, notices: Iterable[Notification], data: VaultData | None = None) -> int:
        """How many notifications the badge counts: neither seen nor dismissed."""
        if data is None:
            data = self.context.vault.load()
        known = remembered(data, "seen") | remembered(data, "dismissed")
        return sum(1 for n in notices if n.kind not in NOT_COUNTED and n.key not in known)

    def mark_seen(self, notices: Iterable[Notification]) -> None:
        """Remember that these notifications were shown."""
        self._add("seen", {notice.key for notice in notices})

    def dismiss(self, notice: Notification) -> None:
        """Hide ``notice`` until it stops applying and applies again."""
        self._add("dismissed", {notice.key})

    def _add(self, name: str, keys: set[str]) -> None:
        if keys <= remembered(self.context.vault.load(), name):
            return
        with self.context.vault.transaction() as data:
            data.state.get(SeenNotices).lists[name] |= keys

    def forget_stale(self, notices: list[Notification], data: VaultData, *, asked: bool) -> None:
        """Forget the keys of notifications that no longer apply (see the module docstring)."""
        current = {notice.key for notice in notices}

        def stale(key: str) -> bool:
            if key in current:
                return False
            return asked or not key.startswith(f"{SECURITY}:")

        if not any(stale(key) for name in LISTS for key in remembered(data, name)):
            return
        with self.context.vault.transaction() as fresh:
            lists = fresh.state.get(SeenNotices).lists
            for name in LISTS:
                lists[name] = {key for key in lists[name] if not stale(key)}
