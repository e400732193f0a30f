"""The notifications the app shows, and which of them the person has already seen.

The list comes from :func:`otpkeep.device.notifications.collect`; the app only adds
the security events fetched from the service (when online) and remembers what was
seen, in its own section of the vault (``state["tui"]``), so the badge counts only
what is new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from otpkeep.device.backup import load_state
from otpkeep.device.gate import cached_config, refresh_config
from otpkeep.device.notifications import Kind, Notification, collect
from otpkeep.errors import ServiceError

if TYPE_CHECKING:
    from otpkeep.device.vaultdata import VaultData
    from otpkeep.tui.context import Context

SECTION = "tui"
NOT_COUNTED = frozenset({Kind.OFFLINE})


def key_of(notice: Notification) -> str:
    """What identifies a notification across runs."""
    return f"{notice.kind.value}:{notice.title}"


def gather(context: Context, *, online: bool) -> list[Notification]:
    """Every notification now; ``online``: refresh the config and fetch security events.

    A device that never talked to a backup service (no session) stays offline: the
    app does not contact a service the person has not chosen.
    """
    data = context.vault.load()
    config = cached_config(data)
    events = None
    state = load_state(data)
    if online and state.session_token:
        flow = context.flow()
        try:
            with flow.client(state) as client:
                config = refresh_config(context.vault, client, now=context.clock())
                if state.verified:
                    events = client.events().events
        except ServiceError:
            events = None
        data = context.vault.load()
    elif state.verified:
        events = []
    return collect(data, config, now=context.clock(), events=events)


def seen(data: VaultData) -> set[str]:
    """The keys of the notifications already seen."""
    section = data.state.get(SECTION)
    keys = section.get("seen") if isinstance(section, dict) else None
    return {str(key) for key in keys} if isinstance(keys, list) else set()


def unread(notices: list[Notification], data: VaultData) -> int:
    """How many notifications the badge counts."""
    known = seen(data)
    return sum(1 for n in notices if n.kind not in NOT_COUNTED and key_of(n) not in known)


def mark_seen(context: Context, notices: list[Notification]) -> None:
    """Remember that these notifications were shown."""
    keys = {key_of(n) for n in notices}
    if keys <= seen(context.vault.load()):
        return
    with context.vault.transaction() as data:
        section = data.state.setdefault(SECTION, {})
        if not isinstance(section, dict):
            section = data.state[SECTION] = {}
        section["seen"] = sorted(seen(data) | keys)
