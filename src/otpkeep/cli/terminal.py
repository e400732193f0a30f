"""The backup flows at a terminal: their questions asked through :mod:`otpkeep.cli.prompt`.

Progress goes to standard error, results to standard output. A countdown rewrites
one line on a terminal and prints a line every ten seconds otherwise.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from otpkeep.cli import prompt

if TYPE_CHECKING:
    from otpkeep.cli.context import Context
    from otpkeep.device.flows.context import Event, FlowContext


class TerminalPrompter:
    """The flows' :class:`~otpkeep.device.flows.context.Prompter` for the command line."""

    def __init__(self, *, assume_yes: bool = False) -> None:
        self._counting = False
        self._assume_yes = assume_yes

    def email(self) -> str:
        """The backup's email address."""
        return prompt.ask("Email address: ")

    def code(self) -> str:
        """The emailed code."""
        return prompt.ask("Code from the email: ")

    def passcode(self) -> str:
        """The backup passcode, never echoed."""
        return prompt.ask_secret("Backup passcode: ")

    def passcode_again(self) -> str:
        """The new passcode again."""
        return prompt.ask_secret("The same passcode again: ")

    def confirm(self, question: str) -> bool:
        """Yes or no (yes without asking under ``--yes``)."""
        return self._assume_yes or prompt.confirm(question)

    def event(self, event: Event) -> None:
        """One progress line on standard error."""
        from otpkeep.device.flows.context import EventKind  # noqa: PLC0415 - lazily, as callers

        terminal = sys.stderr.isatty()
        if event.kind is EventKind.WAIT:
            left = event.seconds_left or 0
            if terminal:
                sys.stderr.write(f"\r{event.message}   ")
                self._counting = True
            elif not self._counting or left % 10 == 0:
                print(event.message, file=sys.stderr)
                self._counting = True
            if left <= 1 and terminal:
                sys.stderr.write("\n")
            sys.stderr.flush()
            return
        self._counting = False
        print(event.message, file=sys.stderr)


def flow_context(ctx: Context, *, assume_yes: bool = False) -> FlowContext:
    """The flows' context for this command: the vault, the service, the terminal."""
    from otpkeep.device.address import resolve_server  # noqa: PLC0415 - heavy path only
    from otpkeep.device.backup.state import load_state  # noqa: PLC0415
    from otpkeep.device.flows.context import FlowContext  # noqa: PLC0415

    vault = ctx.vault()
    saved = load_state(vault.load()).server_url or None
    server = resolve_server(ctx.server, saved)
    return FlowContext(
        vault=vault,
        prompter=TerminalPrompter(assume_yes=assume_yes),
        server_url=server,
        clock=ctx.clock,
    )


def sync_after_command(ctx: Context) -> None:
    """Upload a pending backup after a command; an outage is one line, not a failure.

    Cheap when nothing waits: one ``stat`` of the marker beside the vault.
    """
    from otpkeep.device.backup.pending import PENDING_MARKER  # noqa: PLC0415

    marker = ctx.home / PENDING_MARKER
    if not marker.exists():
        return
    from otpkeep.device.backup.pending import needs_sync  # noqa: PLC0415
    from otpkeep.device.backup.sync import upload  # noqa: PLC0415
    from otpkeep.errors import OtpkeepError  # noqa: PLC0415

    try:
        flows = flow_context(ctx)
        if not needs_sync(flows.vault.load()):
            marker.unlink(missing_ok=True)
            return
        with flows.client(flows.state()) as client:
            upload(flows.vault, client, clock=flows.clock)
    except OtpkeepError as exc:
        print(f"otpkeep: backup not uploaded yet: {exc}", file=sys.stderr)
        return
    if not needs_sync(flows.vault.load()):
        marker.unlink(missing_ok=True)
