"""Devices: every device holding a session for this backup; revoke one that is not yours."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import on, work
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from otpkeep.device.flows.settings import devices, revoke_device
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.protocol.messages import DeviceInfo
    from otpkeep.tui.context import Context


def device_line(device: DeviceInfo) -> str:
    """``laptop (this device)  last seen 2026-11-28 10:15 UTC``."""
    seen = device.last_seen_at.astimezone(dt.UTC)
    name = device.name or "(unnamed)"
    mark = " (this device)" if device.current else ""
    return f"{name}{mark}  last seen {seen:%Y-%m-%d %H:%M} UTC"


class DevicesScreen(FormScreen[None]):
    """The devices; choosing another one offers to revoke it."""

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.listed: dict[str, DeviceInfo] = {}

    def compose(self) -> ComposeResult:
        yield Label("Devices", classes="screen-title")
        yield Static(
            "Devices that can read this backup. Revoke one you do not recognise.",
            classes="hint",
            markup=False,
        )
        yield OptionList(id="devices")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="devices")
    async def load(self) -> None:
        """Ask the service for the list."""
        listed = await self.call(lambda: devices(self.context.flow()), busy="Loading…")
        if isinstance(listed, Failed):
            return
        self.listed = {str(device.id): device for device in listed}
        options = self.query_one("#devices", OptionList)
        options.clear_options()
        options.add_options(Option(device_line(d), id=str(d.id)) for d in listed)
        if listed:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#devices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        device = self.listed.get(event.option.id or "")
        if device is None:
            return
        if device.current:
            self.say(
                "That is this device: turn backup off from the command line instead.",
                tone=Tone.WARNING,
            )
            return

        def answered(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
            if yes:
                self.revoke(str(device.id))

        self.app.push_screen(
            ConfirmScreen(f"Revoke {device.name or 'this device'}?", confirm="Revoke"), answered
        )

    @work(exclusive=True, group="devices")
    async def revoke(self, device_id: str) -> None:
        """End that device's session, then list again."""

        def revoke() -> bool:
            revoke_device(self.context.flow(), device_id)
            return True

        if isinstance(await self.call(revoke, busy="Revoking…"), Failed):
            return
        self.say("Revoked.", tone=Tone.SUCCESS)
        self.load()
