"""What every form-like screen shares: a line of news in place, and calls off the event loop."""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Button, Static

from otpkeep.errors import BackupError, InvalidInputError, OtpkeepError, ServiceRefusal
from otpkeep.tui.wording import with_action

if TYPE_CHECKING:
    from collections.abc import Callable

R = TypeVar("R")
ResultType = TypeVar("ResultType")


def unexpected(error: Exception) -> str:
    """The sentence for an error nobody foresaw (a bug): its kind, never its text."""
    return f"Unexpected error ({type(error).__name__}): please report it."


class Tone(enum.Enum):
    """How a sentence on the line reads: colour follows what it means to the person."""

    PROGRESS = "progress"
    """Something is under way, or news (a code was sent): plain."""
    SUCCESS = "success"
    """Something was done: green."""
    WARNING = "warning"
    """A wait or a refusal the person can act on (wrong passcode, too many tries): amber."""
    ERROR = "error"
    """Something failed that the person did not cause (service down, a bug): red."""


def tone_of(error: OtpkeepError) -> Tone:
    """Refusals of what was typed or asked are warnings; failures are errors."""
    if isinstance(error, InvalidInputError | BackupError):
        return Tone.WARNING
    if isinstance(error, ServiceRefusal) and error.status < 500:
        return Tone.WARNING
    return Tone.ERROR


class Failed:
    """What :meth:`FormScreen.call` returns when the call failed (its error is on screen)."""


FAILED = Failed()


class ErrorLine(Static):
    """One sentence in place: what went wrong, what is under way, or what was done."""

    DEFAULT_CSS = """
    ErrorLine { color: $error; height: auto; margin: 1 0 0 0; }
    ErrorLine.-progress { color: $text; }
    ErrorLine.-success { color: $success; }
    ErrorLine.-warning { color: $warning; }
    """

    def show(self, text: str, tone: Tone) -> None:
        """Show ``text`` in the colour of ``tone``."""
        for other in Tone:
            self.set_class(other is tone and tone is not Tone.ERROR, f"-{other.value}")
        self.update(text)


class FormScreen(Screen[ResultType]):
    """A screen whose slow calls (network, files, key stretching) run in a thread.

    Subclasses yield an :class:`ErrorLine` and call :meth:`call` from a worker;
    while a call runs the screen's buttons are disabled, so nothing is sent twice.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def action_back(self) -> None:
        """Leave this screen, keeping what was typed in the screens below."""
        self.dismiss()

    def say(self, text: str, *, info: bool = False, tone: Tone | None = None) -> None:
        """Show ``text`` on the line in ``tone`` (default: an error; ``info``: progress)."""
        if not self.is_attached:
            return
        if tone is None:
            tone = Tone.PROGRESS if info else Tone.ERROR
        self.query_one(ErrorLine).show(text, tone)

    def set_busy(self, busy: bool) -> None:  # noqa: FBT001 - a plain switch
        """Disable the buttons that act while a call runs; Back and Cancel stay usable."""
        for button in self.query(Button):
            if button.id not in {"back", "cancel"}:
                button.disabled = busy

    async def call(self, fn: Callable[[], R], *, busy: str = "") -> R | Failed:
        """Run ``fn`` in a thread; an :class:`OtpkeepError` becomes one sentence in place.

        The sentence ends with where in the app to act on it (``error.action``). ``busy``
        is said while ``fn`` runs and cleared after it; without it (work in the background)
        the line keeps what it says, such as the outcome of what the person just did.
        """
        if busy:
            self.say(busy, tone=Tone.PROGRESS)
        self.set_busy(busy=True)
        try:
            result = await asyncio.to_thread(fn)
        except OtpkeepError as error:
            self.say(with_action(str(error), error.action), tone=tone_of(error))
            return FAILED
        except Exception as error:  # noqa: BLE001 - the app's error boundary: never a traceback
            self.say(unexpected(error))
            return FAILED
        finally:
            if self.is_attached:
                self.set_busy(busy=False)
        if busy:
            self.say("")
        return result
