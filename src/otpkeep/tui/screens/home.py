"""The home screen: every account with its current code, search, copy, add and delete."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, Static

from otpkeep.errors import OtpkeepError
from otpkeep.otp.account import OtpType
from otpkeep.otp.codes import code_for
from otpkeep.tui.notices import Board
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.widgets.account_list import AccountList
from otpkeep.tui.widgets.field import Field
from otpkeep.tui.widgets.header import AppHeader, NotificationsOpened, SettingsOpened
from otpkeep.tui.wording import counted

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.notifications import Notification
    from otpkeep.device.vault import StoredAccount
    from otpkeep.tui.context import Context

EMPTY = "No accounts yet. Press a to add one: paste a URI, type the fields or import a file."
NO_MATCH = "No account matches the search."
ONLINE_EVERY = 300
"""Ticks (seconds) between two looks at the service for security events."""


class HomeScreen(Screen[None]):
    """The account list; one timer a second repaints the codes and countdowns on screen."""

    AUTO_FOCUS = "#accounts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search"),
        Binding("c", "copy", "Copy"),
        Binding("g", "next_code", "Next HOTP", show=False),
        Binding("a", "add", "Add"),
        Binding("d,delete", "delete", "Delete"),
        Binding("n", "notifications", "Notifications"),
        Binding("s", "settings", "Settings"),
        Binding("escape", "clear_search", "Clear search", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    online_every = ONLINE_EVERY

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.board = Board(context)
        self._accounts: list[StoredAccount] = []
        self._stamp: object = None
        self._asked_at: object = None
        self._ticks = 0
        self._counts = 0
        self.counting = 0
        """1 until the first badge count starts, after the first frame (tests wait for 0)."""

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Field(placeholder="Search issuer or name", id="search")
        yield Static("", id="message", markup=False)
        yield AccountList(self.context.clock, id="accounts")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#search").display = False
        self.reload(count=False)
        self.set_interval(1.0, self.tick)
        # The badge once the list is on screen: counting it brings in the backup's modules.
        self._asked_at = self._stamp
        self.counting += 1
        self.call_after_refresh(self._first_count)

    def _first_count(self) -> None:
        self.counting -= 1
        self.check_online()

    def on_screen_resume(self) -> None:
        self.reload()
        if self._stamp != self._asked_at:
            self.check_online()  # a flow or another screen changed something: ask again

    # What is shown.

    @property
    def accounts(self) -> AccountList:
        """The list widget."""
        return self.query_one("#accounts", AccountList)

    @property
    def query_text(self) -> str:
        """What the search field holds (empty when it is hidden)."""
        search = self.query_one("#search", Input)
        return search.value.strip() if search.display else ""

    def reload(self, *, count: bool = True) -> None:
        """Read the vault again, show the matching accounts and count the notifications."""
        stamp = self.context.vault_stamp()  # before reading: a change meanwhile shows next tick
        try:
            data = self.context.vault.load()
        except OtpkeepError as error:
            self.say(str(error))
            return
        self._accounts = data.live()
        self._stamp = stamp
        self.filter()
        if count and not self.counting:
            self.count_unread()

    @work(group="badge", exit_on_error=False)
    async def count_unread(self) -> None:
        """The badge from what the device knows now (the last security events fetched)."""
        self._counts += 1
        this = self._counts
        try:
            notices = await asyncio.to_thread(self.board.gather, online=False)
            count = await asyncio.to_thread(self.board.unread, notices)
        except OtpkeepError:
            count = 0
        if this == self._counts:  # a later count, of a later vault, decides
            self.query_one(AppHeader).set_unread(count)

    def filter(self) -> None:
        """Show the accounts that match the search, or say why there is none."""
        needle = self.query_text
        shown = [
            stored
            for stored in self._accounts
            if stored.account is not None and (not needle or stored.account.matches(needle))
        ]
        self.accounts.show(shown)
        self.say("" if shown else (NO_MATCH if self._accounts else EMPTY))

    def say(self, message: str) -> None:
        """Show ``message`` above the list (nothing when empty)."""
        line = self.query_one("#message", Static)
        line.update(message)
        line.display = bool(message)

    def show_unread(self, notices: list[Notification]) -> None:
        """Put the number of unread notifications on the badge."""
        self.query_one(AppHeader).set_unread(self.board.unread(notices))

    def in_sight(self) -> bool:
        """True while a person sees this screen: on top, or under a dialog."""
        stack = self.app.screen_stack
        below_dialog = len(stack) > 1 and stack[-2] is self and isinstance(stack[-1], ModalScreen)
        return self.is_current or below_dialog

    def tick(self) -> None:
        """Once a second: the vault again if it changed, else the codes on screen."""
        if not self.in_sight():
            return
        self._ticks += 1
        if self._ticks % self.online_every == 0:
            self.check_online()
        if self.context.vault_stamp() != self._stamp:
            self.reload()
        else:
            self.accounts.tick()

    @work(exclusive=True, group="online", exit_on_error=False)
    async def check_online(self) -> None:
        """Now and then: security events and the operator's config, for the badge."""
        self._asked_at = self._stamp
        try:
            notices = await asyncio.to_thread(self.board.gather, online=True)
            self.show_unread(notices)
        except OtpkeepError:
            return

    def selected(self) -> StoredAccount | None:
        """The highlighted account, if any."""
        return self.accounts.highlighted_account

    # Search.

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.value = ""
            search.display = False
            self.filter()
        self.accounts.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.filter()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.accounts.focus()

    # Actions on the highlighted account.

    def action_copy(self) -> None:
        stored = self.selected()
        if stored is None or stored.account is None:
            self.notify("Choose an account first.", severity="warning")
            return
        account = stored.account
        if account.type is OtpType.HOTP:
            code = self.accounts.revealed.get(stored.id)
            if code is None:
                self.notify("Press g to generate this account's next code.", severity="warning")
                return
        else:
            code = code_for(account, self.context.clock())
        self.app.copy_to_clipboard(code)
        self.notify(f"Copied the code of {account.label}.")

    def action_next_code(self) -> None:
        """HOTP: show the code of the stored counter and move the counter on, in the vault."""
        stored = self.selected()
        if stored is None or stored.account is None:
            return
        account = stored.account
        if account.type is not OtpType.HOTP:
            self.notify(
                "Only counter-based (HOTP) accounts make codes on demand.", severity="warning"
            )
            return
        try:
            with self.context.vault.transaction() as data:
                current = data.accounts[stored.id].account or account
                code = code_for(current, self.context.clock())
                data.update(
                    stored.id, current.replace(counter=current.counter + 1), self.context.now_ms()
                )
        except OtpkeepError as error:
            self.notify(str(error), severity="error")
            return
        self.accounts.reveal(stored.id, code)
        self.reload()
        self.context.after_change()

    def action_add(self) -> None:
        from otpkeep.tui.screens.add import AddScreen  # noqa: PLC0415 - not needed to start

        self.app.push_screen(AddScreen(self.context), self._after_add)

    def _after_add(self, added: int | None) -> None:
        if added:
            self.reload()
            self.notify(f"Added {counted(added, 'account')}.")
            self.context.after_change()

    def action_delete(self) -> None:
        stored = self.selected()
        if stored is None or stored.account is None:
            return
        label = stored.account.label
        account_id = stored.id

        def confirmed(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
            if not yes:
                return
            try:
                with self.context.vault.transaction() as data:
                    data.remove(account_id, self.context.now_ms())
            except OtpkeepError as error:
                self.notify(str(error), severity="error")
                return
            self.reload()
            self.notify(f"Deleted {label}.")
            self.context.after_change()

        self.app.push_screen(
            ConfirmScreen(f"Delete {label} from this device?", confirm="Delete"), confirmed
        )

    # The header.

    def action_notifications(self) -> None:
        from otpkeep.tui.screens.notifications import NotificationsScreen  # noqa: PLC0415 - not needed to start

        self.app.push_screen(NotificationsScreen(self.context, self.board))

    def action_settings(self) -> None:
        from otpkeep.tui.screens.settings import SettingsScreen  # noqa: PLC0415 - not needed to start

        self.app.push_screen(SettingsScreen(self.context))

    def on_notifications_opened(self, message: NotificationsOpened) -> None:
        message.stop()
        self.action_notifications()

    def on_settings_opened(self, message: SettingsOpened) -> None:
        message.stop()
        self.action_settings()
