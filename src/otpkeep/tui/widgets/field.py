"""A text field whose cursor blinks only when the app says so (steady in snapshots)."""

from __future__ import annotations

from textual.widgets import Input


class Field(Input):
    """An :class:`Input` that follows the app's ``cursor_blink`` setting."""

    def on_mount(self) -> None:
        self.cursor_blink = bool(getattr(self.app, "cursor_blink", True))
