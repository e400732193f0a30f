"""The bar under a TOTP code that empties as its period runs out."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

FULL = "━"
EMPTY = "─"
WARN_SECONDS = 5


class Countdown(Widget):
    """Seconds left of a code's period, as a bar and a number; drawn from the values set."""

    DEFAULT_CSS = """
    Countdown { height: 1; width: 1fr; }
    """

    remaining: reactive[int] = reactive(0)
    period: reactive[int] = reactive(30)

    def render(self) -> Text:
        label = f" {self.remaining:>2}s"
        width = max(self.size.width - len(label), 1)
        filled = round(width * self.remaining / self.period) if self.period else 0
        style = "bold red" if self.remaining <= WARN_SECONDS else "green"
        text = Text(FULL * filled, style=style)
        text.append(EMPTY * (width - filled), style="dim")
        text.append(label, style=style)
        return text
