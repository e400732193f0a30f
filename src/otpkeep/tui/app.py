"""The terminal app: :func:`make_app` wires the vault, the clock and the service into screens.

Only what the home screen needs is imported with the app: the flows, the service
client and the crypto of the backup come in when a screen or a flow first needs them.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from otpkeep.device.backup.pending import needs_sync, pending_hook
from otpkeep.device.vault import Vault
from otpkeep.errors import OtpkeepError
from otpkeep.tui.context import Context
from otpkeep.tui.screens.home import HomeScreen
from otpkeep.tui.wording import with_action

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from textual.screen import Screen

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.client import ServiceClient
    from otpkeep.tui.flows import FlowSpec
    from otpkeep.tui.runner import FlowRunner


class OtpkeepApp(App[None]):
    """The authenticator, as a person uses it every day."""

    CSS_PATH = "app.tcss"
    TITLE = "otpkeep"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, context: Context, *, cursor_blink: bool = True) -> None:
        super().__init__()
        self.context = context
        self.cursor_blink = cursor_blink
        self.runners: dict[str, FlowRunner] = {}
        context.after_change = self.sync_soon
        context.start_flow = self.start_flow

    def get_default_screen(self) -> Screen[Any]:
        return HomeScreen(self.context)

    def start_flow(self, spec: FlowSpec, on_finish: Callable[[], None] | None = None) -> None:
        """Open a backup flow; one started before and cancelled shows what was typed in it."""
        from otpkeep.tui.runner import FlowRunner  # noqa: PLC0415 - not needed to start

        runner = self.runners.get(spec.key)
        if runner is None:
            runner = self.runners[spec.key] = FlowRunner(self, self.context, spec)
        runner.on_finish = on_finish
        runner.start()

    def on_unmount(self) -> None:
        """The app closes: stop every flow still running (its thread ends at its next step)."""
        for runner in self.runners.values():
            runner.stop()

    def sync_soon(self) -> None:
        """Accounts changed: when backup is on, upload in the background."""
        self.run_worker(self._sync(), group="sync", exclusive=True)

    async def _sync(self) -> None:
        try:
            if not needs_sync(self.context.vault.load()):
                return
            await asyncio.to_thread(self.context.sync)
        except OtpkeepError as error:
            self.notify(f"Backup: {with_action(str(error), error.action)}", severity="warning")
        home = self.screen_stack[0] if self.screen_stack else None
        if isinstance(home, HomeScreen):
            home.check_online()  # what the service says now shows on the badge


def make_app(  # noqa: PLR0913 - the app's whole wiring, each part a seam for tests
    home: Path,
    *,
    clock: Callable[[], float] = time.time,
    vault: Vault | None = None,
    server: str | None = None,
    connect: Callable[[str], ServiceClient] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    device_name: str | None = None,
    checkin_kdf: KdfParams | None = None,
    cursor_blink: bool = True,
) -> OtpkeepApp:
    """The app for the device folder ``home``.

    ``clock`` drives every code and countdown (a fixed clock keeps the screen still);
    ``vault`` defaults to the vault in ``home`` with the backup's change hook;
    ``server`` is the service the command line was given (its option, or
    ``OTPKEEP_SERVER``; None: the address saved with the backup); ``connect`` (None:
    the real client), ``sleep``, ``device_name`` and ``checkin_kdf`` go to the device's
    session unchanged; ``cursor_blink`` False keeps text cursors steady.
    """
    context = Context(
        home=home,
        vault=vault or Vault(home, on_change=pending_hook(home)),
        clock=clock,
        server=server,
        connect=connect,
        sleep=sleep,
        device_name=device_name or "",
        checkin_kdf=checkin_kdf,
    )
    return OtpkeepApp(context, cursor_blink=cursor_blink)
