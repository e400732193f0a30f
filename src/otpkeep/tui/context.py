"""What every screen works with: the vault, the clock, and how to reach the backup service."""

from __future__ import annotations

import dataclasses
import time
from typing import TYPE_CHECKING

from otpkeep.device.address import resolve_server
from otpkeep.device.backup.state import load_state
from otpkeep.device.backup.sync import SyncResult, upload
from otpkeep.device.client import ServiceClient
from otpkeep.device.flows.context import FlowContext, Prompter, default_device_name
from otpkeep.tui.draft import Draft, DraftPrompter

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.vault import Vault
    from otpkeep.tui.runner import FlowSpec


def _nothing() -> None:
    """The default change hook: nothing to do."""


def _no_flows(spec: FlowSpec, on_finish: Callable[[], None] | None = None) -> None:
    """Until the app wires itself in, flows cannot start."""
    del spec, on_finish


@dataclasses.dataclass
class Context:
    """The app's wiring, made once by :func:`otpkeep.tui.app.make_app` and given to screens.

    ``server`` is ``--server``/``OTPKEEP_SERVER`` (None: the address saved with the
    backup, else the local default); ``connect``, ``sleep``, ``device_name`` and
    ``checkin_kdf`` go to the device flows unchanged, so tests can swap each one.
    """

    home: Path
    vault: Vault
    clock: Callable[[], float] = time.time
    server: str | None = None
    connect: Callable[[str], ServiceClient] = ServiceClient.connect
    sleep: Callable[[float], None] = time.sleep
    device_name: str = dataclasses.field(default_factory=default_device_name)
    checkin_kdf: KdfParams | None = None
    after_change: Callable[[], None] = _nothing
    start_flow: Callable[[FlowSpec, Callable[[], None] | None], None] = _no_flows

    def now_ms(self) -> int:
        """The injected clock in Unix milliseconds, as the vault records changes."""
        return int(self.clock() * 1000)

    def vault_stamp(self) -> tuple[int, int] | None:
        """Changes whenever the vault file is replaced (by this app or another process)."""
        try:
            info = self.vault.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def server_url(self) -> str:
        """The service to talk to: the option, else the one the backup was made with."""
        saved = load_state(self.vault.load()).server_url or None
        return resolve_server(self.server, saved)

    def flow(self, prompter: Prompter | None = None) -> FlowContext:
        """What a device flow needs, answering its questions through ``prompter``."""
        flow = FlowContext(
            vault=self.vault,
            prompter=prompter or DraftPrompter(Draft()),
            server_url=self.server_url(),
            connect=self.connect,
            clock=self.clock,
            sleep=self.sleep,
            device_name=self.device_name,
        )
        if self.checkin_kdf is not None:
            flow.checkin_kdf = self.checkin_kdf
        return flow

    def sync(self) -> SyncResult:
        """Upload the accounts now (backup on); slow: call it from a worker."""
        state = load_state(self.vault.load())
        with self.flow().client(state) as client:
            return upload(self.vault, client, clock=self.clock)
