"""Your data at the service: everything it holds about you, a copy to keep, and deletion."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING

from textual import on, work
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Label, Static

from otpkeep.tui import flows
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone

if TYPE_CHECKING:
    from pathlib import Path

    from textual.app import ComposeResult

    from otpkeep.protocol.messages import AccountExport
    from otpkeep.tui.context import Context

EXPLAIN = (
    "Everything the backup service holds about you, as it holds it. The backups are sealed: "
    "only your devices can open them."
)


def save_export(folder: Path, text: str, now: float) -> Path:
    """Write ``text`` to a new file in ``folder`` (readable by this user only); its path."""
    stamp = dt.datetime.fromtimestamp(now, dt.UTC)
    path = folder / f"service-data-{stamp:%Y%m%d-%H%M%S}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


class PrivacyScreen(FormScreen[None]):
    """What the service holds (read when the screen opens), Save a copy, Delete my account."""

    DEFAULT_CSS = """
    PrivacyScreen #export { height: 1fr; padding: 0 2; }
    PrivacyScreen > .hint { padding: 0 2; }
    PrivacyScreen .buttons { height: auto; padding: 0 2; }
    PrivacyScreen .buttons Button { margin-right: 2; }
    PrivacyScreen ErrorLine { padding: 0 2; }
    """

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context
        self.export: AccountExport | None = None

    def compose(self) -> ComposeResult:
        yield Label("Your data at the service", classes="screen-title")
        yield Static(EXPLAIN, classes="hint", markup=False)
        with VerticalScroll(id="export"):
            yield Static("", id="lines", markup=False)
        with Horizontal(classes="buttons"):
            yield Button("Save a copy", id="save", variant="primary", disabled=True)
            yield Button("Delete my account at the service", id="delete", variant="error")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="privacy")
    async def load(self) -> None:
        """Ask the service for everything it holds about this backup's account."""
        from otpkeep.device.flows.privacy import (  # noqa: PLC0415 - when it opens
            export_account,
            export_text,
        )

        self.export = None
        self.query_one("#lines", Static).update("")
        export = await self.call(lambda: export_account(self.context.session), busy="Asking…")
        self.query_one("#save", Button).disabled = isinstance(export, Failed)
        if isinstance(export, Failed):
            return
        self.export = export
        self.query_one("#lines", Static).update("\n".join(export_text(export)))

    @on(Button.Pressed, "#save")
    def save(self) -> None:
        """Keep the whole export as a JSON file in the device folder, and say where."""
        if self.export is None:
            return
        from otpkeep.device.flows.privacy import export_json  # noqa: PLC0415 - when saving

        try:
            path = save_export(self.context.home, export_json(self.export), self.context.clock())
        except OSError as error:
            self.say(f"The copy could not be saved: {error.strerror}.", tone=Tone.ERROR)
            return
        self.say(f"Saved a copy to {path}.", tone=Tone.SUCCESS)

    @on(Button.Pressed, "#delete")
    def delete(self) -> None:
        """Delete the account at the service, after a confirmation."""
        self.say("")
        self.context.start_flow(flows.DELETE_ACCOUNT, self.reload)

    def reload(self) -> None:
        """Read it all again (after a deletion: backup is off, nothing is there)."""
        self.load()
