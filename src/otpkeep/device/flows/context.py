"""What every flow is given: the vault, the service, the prompts, the clock."""

from __future__ import annotations

import dataclasses
import enum
import platform
import time
from typing import TYPE_CHECKING, Protocol

from otpkeep.device.backup.state import BackupState, load_state, save_state
from otpkeep.device.client import ServiceClient
from otpkeep.errors import ServiceError

if TYPE_CHECKING:
    from collections.abc import Callable

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.vault import Vault


class EventKind(enum.StrEnum):
    """What a flow reports while it runs."""

    INFO = "info"
    CODE_SENT = "code_sent"
    RESUMED = "resumed"
    RETRY = "retry"
    WRONG_PASSCODE = "wrong_passcode"
    WAIT = "wait"


@dataclasses.dataclass(frozen=True)
class Event:
    """A line for the person (``message``), with numbers a screen may show its own way."""

    kind: EventKind
    message: str
    seconds_left: int | None = None
    tries_left: int | None = None


class Prompter(Protocol):
    """What a flow asks a person; each returns one answer (or raises to stop the flow)."""

    def email(self) -> str:
        """The email address for the backup."""
        ...

    def code(self) -> str:
        """The code that was emailed."""
        ...

    def passcode(self) -> str:
        """The backup passcode (never echoed)."""
        ...

    def passcode_again(self) -> str:
        """The new passcode once more, to confirm it (never echoed)."""
        ...

    def confirm(self, question: str) -> bool:
        """Yes or no."""
        ...

    def event(self, event: Event) -> None:
        """Progress: a code was sent, a passcode was wrong, a wait counts down..."""
        ...


def default_device_name() -> str:
    """This machine's name, as the service lists the device."""
    return platform.node()[:64]


@dataclasses.dataclass
class FlowContext:
    """The flows' dependencies, passed in so tests swap each one."""

    vault: Vault
    prompter: Prompter
    server_url: str
    connect: Callable[[str], ServiceClient] = ServiceClient.connect
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    device_name: str = dataclasses.field(default_factory=default_device_name)
    checkin_kdf: KdfParams | None = None

    def client(self, state: BackupState | None = None, *, url: str | None = None) -> ServiceClient:
        """A client for the service, authenticated with the session in ``state`` if any.

        A session belongs to the service that granted it: its token is never sent to
        another one, whatever ``--server`` or ``OTPKEEP_SERVER`` names now.
        """
        target = url or self.server_url
        if state is None or not state.session_token:
            return self.connect(target)
        owner = state.server_url or target
        if owner.rstrip("/") != target.rstrip("/"):
            raise ServiceError(
                f"This device's backup is with {owner}, not {target}: drop --server and "
                "OTPKEEP_SERVER, or turn backup off and on again to move it."
            )
        client = self.connect(owner)
        client.token = state.session_token
        return client

    def now_ms(self) -> int:
        """The clock in unix milliseconds, as account changes are stamped."""
        return int(self.clock() * 1000)

    def state(self) -> BackupState:
        """The backup state as the vault holds it now."""
        return load_state(self.vault.load())

    def save(self, state: BackupState) -> None:
        """Write the backup state back, in its own vault transaction."""
        with self.vault.transaction() as data:
            save_state(data, state)

    def say(
        self,
        message: str,
        kind: EventKind = EventKind.INFO,
        *,
        seconds_left: int | None = None,
        tries_left: int | None = None,
    ) -> None:
        """Report one line."""
        self.prompter.event(Event(kind, message, seconds_left, tries_left))
