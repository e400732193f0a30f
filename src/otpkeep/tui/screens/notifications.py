"""Notifications: Enable Backups (while the gate is open), security events, the check-in.

Each says what Enter does on it (:data:`otpkeep.tui.wording.ENTER`), and Enter does it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import Footer, Label, OptionList
from textual.widgets.option_list import Option

from otpkeep.device.actions import Action
from otpkeep.device.notifications import Kind, Notification
from otpkeep.errors import OtpkeepError
from otpkeep.tui import flows
from otpkeep.tui.notices import Board
from otpkeep.tui.screens.checkin import CheckInScreen
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.devices import DevicesScreen
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone
from otpkeep.tui.screens.versions import VersionsScreen
from otpkeep.tui.wording import ENTER

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.tui.context import Context

TITLE_STYLES = {
    Kind.ENABLE_BACKUPS: "bold",
    Kind.CHECK_IN: "bold",
    Kind.BACKUP_FAILED: "bold $error",
    Kind.SECURITY: "bold $warning",
    Kind.OFFLINE: "bold $text-muted",
    Kind.SIGNED_OUT: "bold $warning",
    Kind.BACKUP_DAMAGED: "bold $error",
}
NOTHING = "Nothing new."


def render(notice: Notification) -> Content:
    """A notification as two or three lines: title, sentence, what Enter does, in app words."""
    lines: list[str | tuple[str, str]] = [(notice.title, TITLE_STYLES[notice.kind])]
    if notice.detail:
        lines.extend(("\n", notice.detail))
    if notice.action is not None:
        lines.extend(("\n", (ENTER[notice.action], "italic")))
    return Content.assemble(*lines)


class NotificationsScreen(FormScreen[None]):
    """The list, most pressing first; Enter acts on the highlighted one, x dismisses it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("x,delete", "dismiss_notice", "Dismiss"),
    ]

    def __init__(self, context: Context, board: Board | None = None) -> None:
        super().__init__()
        self.context = context
        self.board = board or Board(context)
        self.found: list[Notification] = []
        self.notices: list[Notification] = []

    def compose(self) -> ComposeResult:
        yield Label("Notifications", classes="screen-title")
        yield OptionList(id="notices")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        try:
            self.show(self.board.gather(online=False))
        except OtpkeepError as error:
            self.say(str(error))
        self.query_one("#notices").focus()
        self.fetch()

    def on_screen_resume(self) -> None:
        self.fetch()

    def show(self, found: list[Notification]) -> None:
        """Show what is not dismissed of ``found`` (the highlight stays) and mark it seen."""
        self.found = found
        self.notices = self.board.shown(found)
        options = self.query_one("#notices", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(Option(render(n)) for n in self.notices)
        if not self.notices:
            options.add_option(Option(NOTHING, disabled=True))
        else:
            options.highlighted = min(highlighted or 0, len(self.notices) - 1)
        try:
            self.board.mark_seen(self.notices)
        except OtpkeepError as error:
            self.say(str(error))

    @work(exclusive=True, group="notices")
    async def fetch(self) -> None:
        """Security events and the operator's config from the service, in the background."""
        found = await self.call(lambda: self.board.gather(online=True))
        if not isinstance(found, Failed) and found != self.found:
            self.show(found)

    def highlighted_notice(self) -> Notification | None:
        """The notification under the highlight, if any."""
        index = self.query_one("#notices", OptionList).highlighted
        if index is None or not 0 <= index < len(self.notices):
            return None
        return self.notices[index]

    def action_dismiss_notice(self) -> None:
        """Hide the highlighted notification until it applies again."""
        notice = self.highlighted_notice()
        if notice is None:
            return
        try:
            self.board.dismiss(notice)
        except OtpkeepError as error:
            self.say(str(error))
            return
        self.show(self.found)
        self.say(f"Dismissed: {notice.title}.", tone=Tone.SUCCESS)

    @on(OptionList.OptionSelected, "#notices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if not 0 <= event.option_index < len(self.notices):
            return
        action = self.notices[event.option_index].action
        if action is not None:
            self.act(action)

    def act(self, action: Action) -> None:
        """Do what a notification's Enter promises."""
        started = {
            Action.ENABLE_BACKUP: flows.ENABLE,
            Action.RECONNECT: flows.ENABLE,
            Action.TRANSFER: flows.TRANSFER,
            Action.CHANGE_PASSCODE: flows.CHANGE_PASSCODE,
        }
        if action in started:
            self.context.start_flow(started[action], None)
        elif action is Action.BACK_UP_NOW:
            self.back_up_now()
        elif action is Action.HEAL_BACKUP:

            def answered(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
                if yes:
                    self.back_up_now(heal=True)

            self.app.push_screen(
                ConfirmScreen(
                    "Upload this device's accounts in place of the version that cannot be"
                    " opened? The older versions are kept.",
                    confirm="Upload",
                ),
                answered,
            )
        elif action is Action.CHECK_IN:
            self.app.push_screen(CheckInScreen(self.context))
        elif action is Action.REVIEW_DEVICES:
            self.app.push_screen(DevicesScreen(self.context))
        elif action is Action.LIST_VERSIONS:
            self.app.push_screen(VersionsScreen(self.context))
        else:  # showing the backup's state, starting it again, a new code: in Settings
            from otpkeep.tui.screens.settings import SettingsScreen  # noqa: PLC0415 - it opens this one

            self.app.push_screen(SettingsScreen(self.context))

    @work(exclusive=True, group="backup-now")  # not "notices": a fetch must not cancel it
    async def back_up_now(self, *, heal: bool = False) -> None:
        """Retry the backup that failed (``heal``: over a version that cannot be opened)."""
        result = await self.call(lambda: self.context.sync(heal=heal), busy="Backing up…")
        if not isinstance(result, Failed):
            replaced = "" if result.healed is None else f", in place of version {result.healed}"
            self.say(f"Backed up: version {result.version}{replaced}.", tone=Tone.SUCCESS)
            self.fetch()
