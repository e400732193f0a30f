"""Backup versions: what the service keeps, newest first; restore brings back lost accounts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import on, work
from textual.widgets import Footer, Label, OptionList, Static
from textual.widgets.option_list import Option

from otpkeep.tui.screens.confirm import ConfirmScreen
from otpkeep.tui.screens.form import ErrorLine, Failed, FormScreen, Tone
from otpkeep.tui.wording import counted

if TYPE_CHECKING:
    from textual.app import ComposeResult

    from otpkeep.device.flows.settings import VersionSummary
    from otpkeep.tui.context import Context


def version_line(version: VersionSummary) -> str:
    """``v3  2026-11-28 10:15 UTC  2 accounts  added GitHub: alice``: what a version holds."""
    when = version.created_at.astimezone(dt.UTC)
    held = "cannot be opened" if version.accounts is None else counted(version.accounts, "account")
    line = f"v{version.version}  {when:%Y-%m-%d %H:%M} UTC  {held}"
    if version.added:
        line += f"  added {', '.join(version.added)}"
    if version.removed:
        line += f"{';' if version.added else ''}  removed {', '.join(version.removed)}"
    return line


class VersionsScreen(FormScreen[None]):
    """The list of versions; choosing one offers to restore the accounts missing here."""

    def __init__(self, context: Context) -> None:
        super().__init__()
        self.context = context

    def compose(self) -> ComposeResult:
        yield Label("Backup versions", classes="screen-title")
        yield Static(
            "Restoring a version brings back the accounts it holds that are missing or "
            "deleted here; nothing on this device is removed.",
            classes="hint",
            markup=False,
        )
        yield OptionList(id="versions")
        yield ErrorLine(id="error")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="versions")
    async def load(self) -> None:
        """Ask the service for the list."""
        from otpkeep.device.flows.settings import versions  # noqa: PLC0415 - when it opens

        listed = await self.call(lambda: versions(self.context.session), busy="Loading…")
        if isinstance(listed, Failed):
            return
        options = self.query_one("#versions", OptionList)
        options.clear_options()
        options.add_options(Option(version_line(v), id=str(v.version)) for v in listed)
        if listed:
            options.highlighted = 0
        else:
            self.say("The service keeps no version yet.", tone=Tone.PROGRESS)
        options.focus()

    @on(OptionList.OptionSelected, "#versions")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        number = int(event.option.id or "0")

        def answered(yes: bool | None) -> None:  # noqa: FBT001 - a screen result
            if yes:
                self.restore(number)

        self.app.push_screen(
            ConfirmScreen(f"Restore the accounts of version {number}?", confirm="Restore"),
            answered,
        )

    @work(exclusive=True, group="versions")
    async def restore(self, number: int) -> None:
        """Bring back what version ``number`` holds and this device lacks."""
        from otpkeep.device.flows import settings  # noqa: PLC0415 - when restoring

        result = await self.call(
            lambda: settings.restore(self.context.session, number), busy="Restoring…"
        )
        if isinstance(result, Failed):
            return
        count = len(result.restored)
        if count:
            later = "" if result.uploaded else " They are backed up once the service answers."
            self.say(
                f"Restored {counted(count, 'account')} from version {number}.{later}",
                tone=Tone.SUCCESS,
            )
        else:
            self.say(f"Version {number} holds no account that is missing here.", tone=Tone.PROGRESS)
