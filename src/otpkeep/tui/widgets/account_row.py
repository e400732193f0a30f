"""One account on the home screen: issuer and name, the current code, its countdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.containers import Horizontal, Vertical
from textual.widgets import Label, ListItem

from otpkeep.otp.account import OtpType
from otpkeep.tui.widgets.code import group_digits
from otpkeep.tui.widgets.countdown import Countdown

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.vault import StoredAccount

HOTP_HINT = "g: next code"


class AccountRow(ListItem):
    """A row of the account list; the screen feeds it codes with :meth:`show`."""

    DEFAULT_CSS = """
    AccountRow > Horizontal { height: 2; }
    AccountRow .labels { width: 1fr; height: 2; }
    AccountRow .issuer { text-style: bold; }
    AccountRow .name { color: $text-muted; }
    AccountRow .right { width: 32; height: 2; align-horizontal: right; }
    AccountRow .code { width: 100%; text-align: right; text-style: bold; color: $accent; }
    AccountRow .hotp { width: 100%; text-align: right; color: $text-muted; }
    """

    def __init__(self, stored: StoredAccount) -> None:
        super().__init__()
        self.stored = stored

    @property
    def account_id(self) -> str:
        """The vault id of the account shown."""
        return self.stored.id

    def compose(self) -> ComposeResult:
        account = self.stored.account
        issuer = account.issuer if account else ""
        name = account.name if account else ""
        with Horizontal():
            with Vertical(classes="labels"):
                yield Label(issuer or name or "(unnamed)", classes="issuer", markup=False)
                yield Label(name if issuer else "", classes="name", markup=False)
            with Vertical(classes="right"):
                yield Label("", classes="code", markup=False)
                if account is not None and account.type is OtpType.HOTP:
                    yield Label(HOTP_HINT, classes="hotp")
                else:
                    yield Countdown()

    def show(self, code: str | None, remaining: int, period: int) -> None:
        """Show ``code`` (``None``: hidden, for an HOTP account not yet asked) and its time left."""
        for label in self.query(".code").results(Label):
            label.update(group_digits(code) if code else "••• •••")
        for bar in self.query(Countdown):
            bar.period = period
            bar.remaining = remaining
