"""Settings: the backup (on/off, email, passcode, transfer, versions, devices, data), About."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from otpkeep.errors import OtpkeepError
from otpkeep.protocol.kinds import SessionScope
from otpkeep.tui import flows
from otpkeep.tui.screens.about import AboutScreen
from otpkeep.tui.screens.devices import DevicesScreen
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone, tone_of
from otpkeep.tui.screens.privacy import PrivacyScreen
from otpkeep.tui.screens.versions import VersionsScreen
from otpkeep.tui.wording import counted, with_action

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.backup.state import BackupState
    from otpkeep.tui.context import Context

ITEMS = (
    ("backup", "Back Up Accounts"),
    ("change_email", "Change Email Address"),
    ("change_passcode", "Change backup passcode"),
    ("transfer", "Transfer accounts from a backup"),
    ("versions", "Backup versions"),
    ("devices", "Devices"),
    ("privacy", "Your data at the service"),
    ("disable", "Turn backup off"),
    ("about", "About"),
)
FLOWS = {
    "change_email": flows.CHANGE_EMAIL,
    "change_passcode": flows.CHANGE_PASSCODE,
    "transfer": flows.TRANSFER,
    "disable": flows.DISABLE,
}


def backs_up_now(state: BackupState) -> bool:
    """True when Back Up Accounts uploads at once: backup on, and this device signed in."""
    return state.enabled and not state.signed_out and state.scope is not SessionScope.RECOVERY


def describe(state: BackupState) -> str:
    """One line on the backup: off, signed out, or on for whom and when it last reached it."""
    if not state.enabled:
        return "Backup is off. Back Up Accounts turns it on; Transfer brings a backup here."
    if not backs_up_now(state):
        return (
            f"This device is signed out of the backup of {state.email}: Back Up Accounts "
            "signs it in again."
        )
    line = f"Backup is on for {state.email}."
    if state.last_success is not None:
        when = dt.datetime.fromtimestamp(state.last_success, dt.UTC)
        line += f" Last backup {when:%Y-%m-%d %H:%M} UTC (version {state.last_version})."
    if state.pending:
        line += " A change waits to be backed up."
    return line


class SettingsScreen(FormScreen[None]):
    """The settings list; each item opens its flow or screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Label("Settings", classes="screen-title")
        yield Static("", id="status", markup=False)
        yield OptionList(*(Option(text, id=key) for key, text in ITEMS), id="items")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.show_status()
        self.query_one("#items").focus()

    def on_screen_resume(self) -> None:
        self.show_status()

    def show_status(self) -> None:
        """Read the backup state again (a flow may just have changed it)."""
        try:
            text = describe(self.context.session.backup())
        except OtpkeepError as error:
            text = with_action(str(error), error.action)
        self.query_one("#status", Static).update(text)

    @on(OptionList.OptionSelected, "#items")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.say("")
        key = event.option.id or ""
        if key == "backup":
            try:
                now = backs_up_now(self.context.session.backup())
            except OtpkeepError as error:
                self.say(with_action(str(error), error.action), tone=tone_of(error))
                return
            if now:
                self.back_up_now()
            else:
                self.context.start_flow(flows.ENABLE, self.show_status)
        elif key in FLOWS:
            self.context.start_flow(FLOWS[key], self.show_status)
        elif key == "versions":
            self.app.push_screen(VersionsScreen(self.context))
        elif key == "devices":
            self.app.push_screen(DevicesScreen(self.context))
        elif key == "privacy":
            self.app.push_screen(PrivacyScreen(self.context))
        elif key == "about":
            self.app.push_screen(AboutScreen(self.context))

    @work(exclusive=True, group="backup-now")
    async def back_up_now(self) -> None:
        """Backup is on: upload now and say which version the service stored."""
        result = await self.call(self.context.sync, busy="Backing up…")
        if isinstance(result, Failed):
            return
        self.say(
            f"Backed up {counted(result.accounts, 'account')}: version {result.version}.",
            tone=Tone.SUCCESS,
        )
        self.show_status()
