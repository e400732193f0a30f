"""What every screen works with: the device's one :class:`~otpkeep.device.session.Session`.

The session (the vault, the clock, the way to the service, the device's name) is made
on first use, from the same vault and clock the home screen reads: it brings in the
service client and the crypto of the backup, which the account list does not need, so
the app paints its accounts before anything of the backup is imported.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.backup.sync import SyncResult
    from otpkeep.device.client import ServiceClient
    from otpkeep.device.session import Session
    from otpkeep.device.vault import Vault
    from otpkeep.tui.flows import FlowSpec


def _nothing() -> None:
    """The default change hook: nothing to do."""


def _no_flows(spec: FlowSpec, on_finish: Callable[[], None] | None = None) -> None:
    """Until the app wires itself in, flows cannot start."""
    del spec, on_finish


@dataclasses.dataclass
class Context:
    """The app's wiring, made once by :func:`otpkeep.tui.app.make_app` and given to screens.

    ``vault`` and ``clock`` are the session's own (one vault, one clock for the whole
    app); ``server`` is the service the command line was given (None: the address
    saved with the backup); ``connect`` (None: the real client), ``sleep``, ``device_name`` and
    ``checkin_kdf`` go to the session unchanged, so tests can swap each one.
    ``after_change`` and ``start_flow`` are the app's hooks.
    """

    home: Path
    vault: Vault
    clock: Callable[[], float] = time.time
    server: str | None = None
    connect: Callable[[str], ServiceClient] | None = None
    sleep: Callable[[float], None] = time.sleep
    device_name: str = ""
    checkin_kdf: KdfParams | None = None
    after_change: Callable[[], None] = _nothing
    start_flow: Callable[[FlowSpec, Callable[[], None] | None], None] = _no_flows
    _session: Session | None = dataclasses.field(default=None, init=False, repr=False)
    _lock: threading.Lock = dataclasses.field(
        default_factory=threading.Lock, init=False, repr=False
    )

    @property
    def session(self) -> Session:
        """The device's session, made on first use (from any thread)."""
        with self._lock:
            if self._session is None:
                from otpkeep.device.session import Session  # noqa: PLC0415 - not needed to start

                options: dict[str, Any] = {}
                if self.connect is not None:
                    options["connect"] = self.connect
                self._session = Session(
                    self.vault,
                    clock=self.clock,
                    server_option=self.server,
                    sleep=self.sleep,
                    name=self.device_name,
                    checkin_kdf=self.checkin_kdf,
                    **options,
                )
            return self._session

    def now_ms(self) -> int:
        """The clock in Unix milliseconds, as the vault records changes."""
        return int(self.clock() * 1000)

    def vault_stamp(self) -> tuple[int, int] | None:
        """Changes whenever the vault file is replaced (by this app or another process)."""
        try:
            info = self.vault.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def sync(self, *, heal: bool = False) -> SyncResult:
        """Upload the accounts now (backup on); ``heal``: over a version that cannot be
        opened. Slow: call it from a worker."""
        return self.session.sync(heal=heal)
