"""Notifications: Enable Backups (while the gate is open), security events, the check-in."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from otpkeep.device.notifications import Kind, Notification
from otpkeep.errors import OtpkeepError
from otpkeep.tui import flows
from otpkeep.tui.notices import gather, key_of, mark_seen
from otpkeep.tui.screens.checkin import CheckInScreen
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.tui.context import Context

ACTIONS = {
    Kind.ENABLE_BACKUPS: "Enter: turn backup on",
    Kind.CHECK_IN: "Enter: check your passcode",
    Kind.BACKUP_FAILED: "Enter: back up now",
}


def render(notice: Notification) -> Text:
    """A notification as two or three lines: title, sentence, what Enter does."""
    text = Text(notice.title, style="bold")
    text.append("\n")
    text.append(notice.message)
    action = ACTIONS.get(notice.kind)
    if action:
        text.append("\n")
        text.append(action, style="italic")
    return text


class NotificationsScreen(FormScreen[None]):
    """The list, most pressing first; Enter acts on the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.notices: list[Notification] = []

    def compose(self) -> ComposeResult:
        yield Label("Notifications", classes="screen-title")
        yield OptionList(id="notices")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.show(gather(self.context, online=False))
        except OtpkeepError as error:
            self.say(str(error))
        self.query_one("#notices").focus()
        self.fetch()

    def on_screen_resume(self) -> None:
        self.fetch()

    def show(self, notices: list[Notification]) -> None:
        """Show ``notices`` (the highlight stays where it was) and mark them seen."""
        self.notices = notices
        options = self.query_one("#notices", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(Option(render(n), id=key_of(n)) for n in notices)
        if not notices:
            options.add_option(Option("Nothing new.", disabled=True))
        else:
            options.highlighted = min(highlighted or 0, len(notices) - 1)
        try:
            mark_seen(self.context, notices)
        except OtpkeepError as error:
            self.say(str(error))

    @work(exclusive=True, group="notices")
    async def fetch(self) -> None:
        """Security events and the operator's config from the service, in the background."""
        found = await self.call(lambda: gather(self.context, online=True))
        if not isinstance(found, Failed) and found != self.notices:
            self.show(found)

    @on(OptionList.OptionSelected, "#notices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        notice = next((n for n in self.notices if key_of(n) == event.option.id), None)
        if notice is None:
            return
        if notice.kind is Kind.ENABLE_BACKUPS:
            self.context.start_flow(flows.ENABLE, None)
        elif notice.kind is Kind.CHECK_IN:
            self.app.push_screen(CheckInScreen(self.context))
        elif notice.kind is Kind.BACKUP_FAILED:
            self.back_up_now()

    @work(exclusive=True, group="notices")
    async def back_up_now(self) -> None:
        """Retry the backup that failed."""
        result = await self.call(self.context.sync, busy="Backing up…")
        if not isinstance(result, Failed):
            self.say(f"Backed up: version {result.version}.", info=True)
            self.fetch()
