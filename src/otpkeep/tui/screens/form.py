"""What every form-like screen shares: an error line in place, and calls off the event loop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Button, Static

from otpkeep.errors import OtpkeepError

if TYPE_CHECKING:
    from collections.abc import Callable

R = TypeVar("R")
ResultType = TypeVar("ResultType")


def unexpected(error: Exception) -> str:
    """The sentence for an error otpkeep did not foresee (a bug): its kind, never its text."""
    return f"Unexpected error ({type(error).__name__}): please report it."


class Failed:
    """What :meth:`FormScreen.call` returns when the call failed (its error is on screen)."""


FAILED = Failed()


class ErrorLine(Static):
    """One sentence saying what went wrong, in place; empty when nothing did."""

    DEFAULT_CSS = """
    ErrorLine { color: $error; height: auto; margin: 1 0 0 0; }
    ErrorLine.-info { color: $success; }
    """


class FormScreen(Screen[ResultType]):
    """A screen whose slow calls (network, files, key stretching) run in a thread.

    Subclasses yield an :class:`ErrorLine` and call :meth:`call` from a worker;
    while a call runs the screen's buttons are disabled, so nothing is sent twice.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def action_back(self) -> None:
        """Leave this screen, keeping what was typed in the screens below."""
        self.dismiss()

    def say(self, text: str, *, info: bool = False) -> None:
        """Show ``text`` on the error line (``info``: as good news)."""
        if not self.is_attached:
            return
        line = self.query_one(ErrorLine)
        line.set_class(info, "-info")
        line.update(text)

    def set_busy(self, busy: bool) -> None:  # noqa: FBT001 - a plain switch
        """Disable the buttons that act while a call runs; Back and Cancel stay usable."""
        for button in self.query(Button):
            if button.id not in {"back", "cancel"}:
                button.disabled = busy

    async def call(self, fn: Callable[[], R], *, busy: str = "") -> R | Failed:
        """Run ``fn`` in a thread; an :class:`OtpkeepError` becomes one sentence in place."""
        self.say(busy, info=True)
        self.set_busy(busy=True)
        try:
            result = await asyncio.to_thread(fn)
        except OtpkeepError as error:
            self.say(str(error))
            return FAILED
        except Exception as error:  # noqa: BLE001 - the app's error boundary: never a traceback
            self.say(unexpected(error))
            return FAILED
        finally:
            if self.is_attached:
                self.set_busy(busy=False)
        self.say("")
        return result
