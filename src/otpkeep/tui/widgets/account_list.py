"""The account list of the home screen: one widget that draws only the rows on screen.

Each account takes three lines (issuer and code; name and countdown; a rule). The
widget keeps no child widgets: :meth:`AccountList.render_line` draws a line when
Textual asks for it, so a vault of thousands of accounts costs what the visible
rows cost. :meth:`AccountList.tick` reads the clock and repaints only the visible
lines whose code or countdown changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from otpkeep.otp.account import OtpType
from otpkeep.otp.codes import code_for, readable, valid_for

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from rich.style import Style
    from textual.events import Click

    from otpkeep.device.vault import StoredAccount
    from otpkeep.otp.account import Account

ROW_HEIGHT = 3
"""Lines per account: issuer and code, name and countdown, a rule."""
RIGHT_WIDTH = 32
"""Columns of the code and countdown column, when the terminal is wide enough."""
HIDDEN_CODE = "••• •••"
HOTP_HINT = "g: next code"
FULL = "━"
EMPTY = "─"
RULE = "─"
WARN_SECONDS = 5


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def right(text: str, width: int) -> str:
    """``text`` aligned right in ``width`` cells (cut on the left when too long)."""
    length = cell_len(text)
    if length >= width:
        return set_cell_size(text, width)
    return " " * (width - length) + text


class AccountList(ScrollView, can_focus=True):
    """The accounts and their codes; the screen gives the rows and calls :meth:`tick`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "account-list--cursor",
        "account-list--issuer",
        "account-list--name",
        "account-list--code",
        "account-list--hint",
        "account-list--time",
        "account-list--time-low",
        "account-list--time-spent",
        "account-list--rule",
    }

    DEFAULT_CSS = """
    AccountList { height: 1fr; overflow-x: hidden; background: $background; }
    AccountList > .account-list--cursor { background: $block-cursor-blurred-background; }
    AccountList:focus > .account-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    AccountList > .account-list--issuer { text-style: bold; }
    AccountList > .account-list--name { color: $text-muted; }
    AccountList > .account-list--code { text-style: bold; color: $accent; }
    AccountList > .account-list--hint { color: $text-muted; }
    AccountList > .account-list--time { color: $success; }
    AccountList > .account-list--time-low { color: $error; text-style: bold; }
    AccountList > .account-list--time-spent { color: $foreground; text-style: dim; }
    AccountList > .account-list--rule { color: $panel-lighten-1; }
    """

    highlighted: reactive[int] = reactive(0, always_update=True, init=False)
    """The index of the highlighted row (meaningless while there is no row)."""

    def __init__(self, clock: Callable[[], float], *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.clock = clock
        self.rows: list[StoredAccount] = []
        self.revealed: dict[str, str] = {}
        self._at = clock()
        self._codes: dict[str, tuple[int, str]] = {}
        self._painted_codes: dict[str, str] = {}
        self._painted_times: dict[str, int] = {}

    # What is shown.

    def show(self, rows: Sequence[StoredAccount]) -> None:
        """Show ``rows``; the highlight stays on the same account when it is still there."""
        current = self.highlighted_account
        self.rows = [stored for stored in rows if stored.account is not None]
        self._at = self.clock()
        self._painted_codes.clear()
        self._painted_times.clear()
        index = self.highlighted
        if current is not None:
            index = next(
                (i for i, stored in enumerate(self.rows) if stored.id == current.id), index
            )
        self.virtual_size = Size(0, len(self.rows) * ROW_HEIGHT)
        self.set_reactive(AccountList.highlighted, max(0, min(index, len(self.rows) - 1)))
        self.refresh()
        self.call_after_refresh(self._scroll_to_highlight)

    def reveal(self, account_id: str, code: str) -> None:
        """Show ``code`` for an HOTP account (its codes are made on demand)."""
        self.revealed[account_id] = code
        for index, stored in enumerate(self.rows):
            if stored.id == account_id:
                self.refresh_lines(index * ROW_HEIGHT, 1)

    @property
    def highlighted_account(self) -> StoredAccount | None:
        """The highlighted account, if there is any row."""
        if not self.rows:
            return None
        return self.rows[min(self.highlighted, len(self.rows) - 1)]

    def visible_range(self) -> range:
        """The indexes of the rows at least partly on screen."""
        top = self.scroll_offset.y
        height = self.scrollable_content_region.height
        first = top // ROW_HEIGHT
        last = min(len(self.rows), (top + height + ROW_HEIGHT - 1) // ROW_HEIGHT)
        return range(first, max(first, last))

    def tick(self) -> None:
        """Read the clock; repaint the visible lines whose code or countdown changed."""
        self._at = self.clock()
        for index in self.visible_range():
            stored = self.rows[index]
            account = stored.account
            if account is None:
                continue
            code, remaining = self._state(stored.id, account)
            if self._painted_codes.get(stored.id) != code:
                self.refresh_lines(index * ROW_HEIGHT, 1)
            if self._painted_times.get(stored.id) != remaining:
                self.refresh_lines(index * ROW_HEIGHT + 1, 1)

    def _state(self, account_id: str, account: Account) -> tuple[str, int]:
        """The code as written on screen and the seconds left (0 for HOTP), at the tick."""
        if account.type is OtpType.HOTP:
            code = self.revealed.get(account_id)
            return (readable(code, account.type) if code else HIDDEN_CODE), 0
        step = int(self._at // account.period)
        cached = self._codes.get(account_id)
        if cached is None or cached[0] != step:
            cached = self._codes[account_id] = (
                step,
                readable(code_for(account, self._at), account.type),
            )
        return cached[1], valid_for(self._at, account.period)

    # Drawing.

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = self.scroll_offset.y + y
        index, part = divmod(line, ROW_HEIGHT)
        base = self.rich_style
        if index >= len(self.rows):
            return Strip.blank(width, base)
        stored = self.rows[index]
        account = stored.account
        if account is None:
            return Strip.blank(width, base)
        if part == ROW_HEIGHT - 1:
            return Strip([Segment(RULE * width, base + self._style("rule"))], width)
        if index == self.highlighted:
            base += self._style("cursor")
        inner = max(0, width - 2)
        column = min(RIGHT_WIDTH, max(0, inner // 2 - 1))
        left = max(0, inner - column - 1)
        code, remaining = self._state(stored.id, account)
        pad = Segment(" ", base)
        if part == 0:
            self._painted_codes[stored.id] = code
            title = account.issuer or account.name or "(unnamed)"
            segments = [
                pad,
                Segment(fit(title, left), base + self._style("issuer")),
                pad,
                Segment(right(code, column), base + self._style("code")),
                pad,
            ]
        else:
            self._painted_times[stored.id] = remaining
            name = account.name if account.issuer else ""
            segments = [pad, Segment(fit(name, left), base + self._style("name")), pad]
            if account.type is OtpType.HOTP:
                segments.append(Segment(right(HOTP_HINT, column), base + self._style("hint")))
            else:
                segments.extend(self._countdown(remaining, account.period, column, base))
            segments.append(pad)
        return Strip(segments).adjust_cell_length(width, base)

    def _countdown(self, remaining: int, period: int, width: int, base: Style) -> list[Segment]:
        """A bar that empties as the period runs out, then the seconds left."""
        label = f" {remaining:>2}s"
        bar = max(0, width - len(label))
        filled = round(bar * remaining / period) if period else 0
        style = base + self._style("time-low" if remaining <= WARN_SECONDS else "time")
        return [
            Segment(FULL * filled, style),
            Segment(EMPTY * (bar - filled), base + self._style("time-spent")),
            Segment(label, style),
        ]

    def _style(self, part: str) -> Style:
        return self.get_component_rich_style(f"account-list--{part}", partial=True)

    # Moving the highlight.

    def watch_highlighted(self, old: int, new: int) -> None:
        self.refresh_lines(old * ROW_HEIGHT, ROW_HEIGHT - 1)
        self.refresh_lines(new * ROW_HEIGHT, ROW_HEIGHT - 1)
        self._scroll_to_highlight()

    def validate_highlighted(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1))

    def _scroll_to_highlight(self) -> None:
        if not self.rows:
            return
        region = Region(0, self.highlighted * ROW_HEIGHT, 1, ROW_HEIGHT)
        self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.highlighted += step

    def action_page(self, direction: int) -> None:
        page = max(1, self.scrollable_content_region.height // ROW_HEIGHT)
        self.highlighted += direction * page

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self.rows) - 1

    def on_click(self, event: Click) -> None:
        index = (event.y + self.scroll_offset.y) // ROW_HEIGHT
        if 0 <= index < len(self.rows):
            self.highlighted = index
