"""What every command handler receives besides its arguments."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.device.client import ServiceClient
    from otpkeep.device.session import Session
    from otpkeep.device.vault import Vault
    from otpkeep.device.vault.data import VaultData

QUICK_CONNECT = 1.0
"""Seconds the upload after a command waits for a connection: it must not hold anyone up."""
QUICK_READ = 10.0
"""Seconds it waits for the service's answer once connected."""


class Context:
    """The global options, resolved, and the clock (so ``--at`` and tests can fix time).

    ``home`` is the device folder (``--home`` / ``OTPKEEP_HOME`` / the user data
    folder); ``server`` is ``--server`` / ``OTPKEEP_SERVER`` or None. ``changed`` is
    set once the command changed the accounts (so a backup is due after it).
    """

    def __init__(
        self,
        home_option: str | None = None,
        server: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.home_option = home_option
        self.server = server
        self.clock = clock
        self.changed = False
        self._home: Path | None = None

    def __repr__(self) -> str:
        return f"Context(home_option={self.home_option!r}, server={self.server!r})"

    @property
    def home(self) -> Path:
        """The device folder, resolved on first use (platformdirs is imported only then)."""
        if self._home is None:
            from otpkeep.device.vault.home import resolve_home  # noqa: PLC0415 - keep start-up light

            self._home = resolve_home(self.home_option)
        return self._home

    def _change_hook(self) -> Callable[[VaultData], None]:
        """The vault's change hook: mark the backup pending, and remember the change."""
        from otpkeep.device.backup.pending import pending_hook  # noqa: PLC0415 - keep start-up light

        mark = pending_hook(self.home)

        def hook(data: VaultData) -> None:
            self.changed = True
            mark(data)

        return hook

    def vault(self, **options: Any) -> Vault:
        """The device vault in :attr:`home`."""
        from otpkeep.device.vault import Vault  # noqa: PLC0415 - keep start-up light

        options.setdefault("on_change", self._change_hook())
        return Vault(self.home, **options)

    def session(self, *, quick: bool = False) -> Session:
        """The device as the backup flows use it: this vault, this clock, this service.

        ``quick``: a client that gives up on a service that does not answer at once (the
        upload after a command), instead of the patient one the flows use.
        """
        from otpkeep.device.session import Session  # noqa: PLC0415 - keep start-up light

        if quick:
            session = Session.open(
                self.home, server=self.server, clock=self.clock, connect=quick_connect
            )
        else:
            session = Session.open(self.home, server=self.server, clock=self.clock)
        session.vault.on_change = self._change_hook()
        return session

    def now_ms(self) -> int:
        """The clock in Unix milliseconds, for ``updated_at``."""
        return int(self.clock() * 1000)


def quick_connect(url: str) -> ServiceClient:
    """A client for ``url`` like ``ServiceClient.connect``'s, with short timeouts."""
    import httpx  # noqa: PLC0415 - only when a backup is due

    from otpkeep.device.client import ServiceClient  # noqa: PLC0415 - same

    return ServiceClient.connect(url, timeout=httpx.Timeout(QUICK_READ, connect=QUICK_CONNECT))
