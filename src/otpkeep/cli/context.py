"""What every command handler receives besides its arguments."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.device.vault import Vault


class Context:
    """The global options, resolved, and the clock (so ``--at`` and tests can fix time).

    ``home`` is the device folder (``--home`` / ``OTPKEEP_HOME`` / the user data
    folder); ``server`` is ``--server`` / ``OTPKEEP_SERVER`` or None.
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

    def vault(self, **options: Any) -> Vault:
        """The device vault in :attr:`home`."""
        from otpkeep.device.backup.pending import pending_hook  # noqa: PLC0415 - keep start-up light
        from otpkeep.device.vault import Vault  # noqa: PLC0415 - keep start-up light

        options.setdefault("on_change", pending_hook(self.home))
        return Vault(self.home, **options)

    def now_ms(self) -> int:
        """The clock in Unix milliseconds, for ``updated_at``."""
        return int(self.clock() * 1000)
