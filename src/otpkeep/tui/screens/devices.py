"""Devices: every device holding a session for this backup; revoke one that is not yours."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

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
    """The devices; choosing another one offers to revoke it; ``r`` renames the highlighted."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "rename", "Rename")]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.listed: dict[str, DeviceInfo] = {}

    def compose(self) -> ComposeResult:
        yield Label("Devices", classes="screen-title")
        yield Static(
            "Devices that can read this backup. Enter on one you do not recognise revokes it;"
            " r gives the highlighted one a name you will know.",
            classes="hint",
            markup=False,
        )
        yield OptionList(id="devices")
        rename = Input(id="rename", placeholder="a name, e.g. Ana's laptop")
        rename.border_title = "New name (Enter saves, Esc goes back)"
        rename.display = False
        yield rename
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="devices")
    async def load(self, done: str = "") -> None:
        """Ask the service for the list; then say ``done`` (what was just changed), if any."""
        from otpkeep.device.flows.settings import devices  # noqa: PLC0415 - when it opens

        listed = await self.call(lambda: devices(self.context.session), busy="Loading…")
        if isinstance(listed, Failed):
            return
        self.listed = {str(device.id): device for device in listed}
        options = self.query_one("#devices", OptionList)
        options.clear_options()
        options.add_options(Option(device_line(d), id=str(d.id)) for d in listed)
        if listed:
            options.highlighted = 0
        options.focus()
        if done:
            self.say(done, tone=Tone.SUCCESS)

    @on(OptionList.OptionSelected, "#devices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        device = self.listed.get(event.option.id or "")
        if device is None:
            return
        if device.current:
            self.say(
                "That is this device: Settings → Turn backup off takes it out of the backup.",
                tone=Tone.WARNING,
            )
            return

        def answered(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
            if yes:
                self.revoke(str(device.id))

        self.app.push_screen(
            ConfirmScreen(f"Revoke {device.name or 'this device'}?", confirm="Revoke"), answered
        )

    def action_rename(self) -> None:
        """Ask for a new name for the highlighted device."""
        device = self._highlighted()
        if device is None:
            return
        rename = self.query_one("#rename", Input)
        rename.value = device.name
        rename.display = True
        rename.focus()

    def action_back(self) -> None:
        """Esc leaves the name unchanged first, then the screen."""
        rename = self.query_one("#rename", Input)
        if rename.display:
            rename.display = False
            self.query_one("#devices", OptionList).focus()
            return
        super().action_back()

    def _highlighted(self) -> DeviceInfo | None:
        options = self.query_one("#devices", OptionList)
        if options.highlighted is None:
            return None
        return self.listed.get(options.get_option_at_index(options.highlighted).id or "")

    @on(Input.Submitted, "#rename")
    def _named(self, event: Input.Submitted) -> None:
        device = self._highlighted()
        if device is not None:
            self.rename(str(device.id), event.value)

    @work(exclusive=True, group="devices")
    async def rename(self, device_id: str, name: str) -> None:
        """Give the device its new name, then list again."""
        from otpkeep.device.flows.settings import rename_device  # noqa: PLC0415 - when renaming

        renamed = await self.call(
            lambda: rename_device(self.context.session, device_id, name), busy="Renaming…"
        )
        if isinstance(renamed, Failed):
            return
        self.query_one("#rename", Input).display = False
        self.load(done=f"Renamed to {renamed.name}.")

    @work(exclusive=True, group="devices")
    async def revoke(self, device_id: str) -> None:
        """End that device's session, then list again."""

        from otpkeep.device.flows.settings import revoke_device  # noqa: PLC0415 - when revoking

        def revoke() -> bool:
            revoke_device(self.context.session, device_id)
            return True

        if isinstance(await self.call(revoke, busy="Revoking…"), Failed):
            return
        self.load(done="Revoked.")
