"""The home screen: every account with its current code, search, copy, add and delete."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, ListView, Static

from otpkeep.errors import OtpkeepError
from otpkeep.otp.account import OtpType
from otpkeep.otp.codes import code_for, valid_for
from otpkeep.tui.notices import Board
from otpkeep.tui.screens.add import AddScreen
from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.notifications import NotificationsScreen
from otpkeep.tui.screens.settings import SettingsScreen
from otpkeep.tui.widgets.account_row import AccountRow
from otpkeep.tui.widgets.field import Field
from otpkeep.tui.widgets.header import AppHeader, NotificationsOpened, SettingsOpened

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.vault import StoredAccount
    from otpkeep.tui.context import Context

EMPTY = "No accounts yet. Press a to add one: paste a URI, type the fields or import a file."
NO_MATCH = "No account matches the search."
ONLINE_EVERY = 300.0


class HomeScreen(Screen[None]):
    """The account list; codes follow the injected clock, one tick a second."""

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

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.board = Board(context)
        self._accounts: list[StoredAccount] = []
        self._hotp_codes: dict[str, str] = {}
        self._stamp: object = None
        self._rebuilding = asyncio.Lock()

    def compose(self) -> ComposeResult:
        yield AppHeader()
        yield Field(placeholder="Search issuer or name", id="search")
        yield Static("", id="message", markup=False)
        yield ListView(id="accounts")
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#search").display = False
        await self.reload()
        self.set_interval(1.0, self.tick)
        self.set_interval(ONLINE_EVERY, self.check_online)
        self.check_online()

    async def on_screen_resume(self) -> None:
        await self.reload()

    # --- what is shown -----------------------------------------------------------

    @property
    def query_text(self) -> str:
        """What the search field holds (empty when it is hidden)."""
        search = self.query_one("#search", Input)
        return search.value.strip() if search.display else ""

    async def reload(self) -> None:
        """Read the vault again and rebuild the list."""
        stamp = self.context.vault_stamp()  # before reading: a change meanwhile shows next tick
        try:
            data = self.context.vault.load()
        except OtpkeepError as error:
            self.query_one("#message", Static).update(str(error))
            return
        self._accounts = data.live()
        self._stamp = stamp
        try:
            notices = self.board.gather(online=False)
            self.query_one(AppHeader).set_unread(self.board.unread(notices))
        except OtpkeepError:
            self.query_one(AppHeader).set_unread(0)
        await self.rebuild()

    async def rebuild(self) -> None:
        """Rebuild the rows for the accounts that match the search (one rebuild at a time)."""
        async with self._rebuilding:
            await self._rebuild()

    async def _rebuild(self) -> None:
        needle = self.query_text
        shown = [
            stored
            for stored in self._accounts
            if stored.account is not None and (not needle or stored.account.matches(needle))
        ]
        accounts = self.query_one("#accounts", ListView)
        index = accounts.index
        await accounts.clear()
        await accounts.extend(AccountRow(stored) for stored in shown)
        if shown:
            accounts.index = min(index or 0, len(shown) - 1)
        message = "" if shown else (NO_MATCH if self._accounts else EMPTY)
        self.query_one("#message", Static).update(message)
        self.query_one("#message", Static).display = bool(message)
        self.refresh_codes()

    def refresh_codes(self) -> None:
        """Write every visible row's code and countdown for the clock's current time."""
        at = self.context.clock()
        for row in self.query(AccountRow):
            account = row.stored.account
            if account is None or not row.is_mounted:
                continue
            if account.type is OtpType.HOTP:
                row.show(self._hotp_codes.get(row.account_id), 0, 1)
            else:
                row.show(code_for(account, at), valid_for(at, account.period), account.period)

    async def tick(self) -> None:
        """Once a second: new codes, and the vault again if another process changed it."""
        if self.context.vault_stamp() != self._stamp:
            await self.reload()
        else:
            self.refresh_codes()

    @work(exclusive=True, group="online", exit_on_error=False)
    async def check_online(self) -> None:
        """Now and then: security events and the operator's config, for the badge."""
        try:
            notices = await asyncio.to_thread(self.board.gather, online=True)
            self.query_one(AppHeader).set_unread(self.board.unread(notices))
        except OtpkeepError:
            return

    def selected(self) -> AccountRow | None:
        """The highlighted row, if any."""
        child = self.query_one("#accounts", ListView).highlighted_child
        return child if isinstance(child, AccountRow) else None

    # --- search --------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.focus()

    async def action_clear_search(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.value = ""
            search.display = False
            await self.rebuild()
        self.query_one("#accounts").focus()

    @on(Input.Changed, "#search")
    async def _search_changed(self) -> None:
        await self.rebuild()

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self.query_one("#accounts").focus()

    # --- actions on the highlighted account ----------------------------------------

    def action_copy(self) -> None:
        row = self.selected()
        if row is None or row.stored.account is None:
            self.notify("Choose an account first.", severity="warning")
            return
        account = row.stored.account
        if account.type is OtpType.HOTP:
            code = self._hotp_codes.get(row.account_id)
            if code is None:
                self.notify("Press g to generate this account's next code.", severity="warning")
                return
        else:
            code = code_for(account, self.context.clock())
        self.app.copy_to_clipboard(code)
        self.notify(f"Copied the code of {account.label}.")

    async def action_next_code(self) -> None:
        """HOTP: show the code of the stored counter and move the counter on, in the vault."""
        row = self.selected()
        if row is None or row.stored.account is None:
            return
        account = row.stored.account
        if account.type is not OtpType.HOTP:
            self.notify("Only counter-based (HOTP) accounts make codes on demand.")
            return
        try:
            with self.context.vault.transaction() as data:
                current = data.accounts[row.account_id].account or account
                code = code_for(current, self.context.clock())
                data.update(
                    row.account_id,
                    current.replace(counter=current.counter + 1),
                    self.context.now_ms(),
                )
        except OtpkeepError as error:
            self.notify(str(error), severity="error")
            return
        self._hotp_codes[row.account_id] = code
        await self.reload()
        self.context.after_change()

    def action_add(self) -> None:
        self.app.push_screen(AddScreen(self.context), self._after_add)

    async def _after_add(self, added: int | None) -> None:
        if added:
            await self.reload()
            self.notify(f"Added {added} account{'s' if added != 1 else ''}.")
            self.context.after_change()

    def action_delete(self) -> None:
        row = self.selected()
        if row is None or row.stored.account is None:
            return
        label = row.stored.account.label
        account_id = row.account_id

        async def confirmed(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
            if not yes:
                return
            try:
                with self.context.vault.transaction() as data:
                    data.remove(account_id, self.context.now_ms())
            except OtpkeepError as error:
                self.notify(str(error), severity="error")
                return
            await self.reload()
            self.notify(f"Deleted {label}.")
            self.context.after_change()

        self.app.push_screen(
            ConfirmScreen(f"Delete {label} from this device?", confirm="Delete"), confirmed
        )

    # --- header ----------------------------------------------------------------------

    def action_notifications(self) -> None:
        self.app.push_screen(NotificationsScreen(self.context, self.board))

    def action_settings(self) -> None:
        self.app.push_screen(SettingsScreen(self.context))

    def on_notifications_opened(self, message: NotificationsOpened) -> None:
        message.stop()
        self.action_notifications()

    def on_settings_opened(self, message: SettingsOpened) -> None:
        message.stop()
        self.action_settings()
