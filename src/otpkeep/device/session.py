"""The device as both front ends use it: one vault, one clock, one way to the service.

:class:`Session` is what the command line and the terminal app each make once and hand
to the flows (:mod:`otpkeep.device.flows`): the vault in the device's folder (with the
change hook that marks a backup pending), the clock (``--at`` and tests fix it), which
service to talk to (``--server``, else ``OTPKEEP_SERVER``, else the one the backup was
made with) and a client for it that carries this device's session only to the service
that granted it, the device's name, and the notifications to show.
"""

from __future__ import annotations

import contextlib
import dataclasses
import platform
import time
import uuid
from typing import TYPE_CHECKING

from otpkeep.device.address import resolve_server
from otpkeep.device.backup.gate import cached_config, refresh_config
from otpkeep.device.backup.pending import pending_hook
from otpkeep.device.backup.state import BackupState
from otpkeep.device.notifications import Notification, collect
from otpkeep.device.vault.store import Vault
from otpkeep.errors import ServiceError, ServiceRefusal
from otpkeep.protocol.errors import EndReason, ErrorCode
from otpkeep.protocol.kinds import PossessionAction

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from otpkeep.crypto.kdf import KdfParams
    from otpkeep.device.backup.sync import SyncResult
    from otpkeep.device.client import ServiceClient
    from otpkeep.device.vault.data import VaultData
    from otpkeep.protocol import messages as m


_SIGNED_OUT = frozenset(
    {ErrorCode.SESSION_ENDED, ErrorCode.SESSION_EXPIRED, ErrorCode.UNAUTHORIZED}
)
_GONE = frozenset({EndReason.BACKUP_DELETED, EndReason.BACKUP_DESTROYED})
MAX_EVENTS = 10
"""The security events fetched for notifications: the newest ones."""


def default_device_name(vault_id: str = "") -> str:
    """This machine's name and, when known, a short id of its vault, so two machines of one
    name stay apart in the list of devices."""
    host = platform.node()[:48] or "otpkeep device"
    return f"{host} ({vault_id[:4]})" if vault_id else host


def connect_client(url: str) -> ServiceClient:
    """``ServiceClient.connect``, imported at the first connection (the client brings httpx),
    so that a device that never connects starts without it."""
    from otpkeep.device.client import ServiceClient  # noqa: PLC0415 - see above

    return ServiceClient.connect(url)


@dataclasses.dataclass
class Session:
    """The device's wiring (see the module docstring); every part is a seam for tests."""

    vault: Vault
    clock: Callable[[], float] = time.time
    server_option: str | None = None
    connect: Callable[[str], ServiceClient] = connect_client
    sleep: Callable[[float], None] = time.sleep
    name: str = ""
    checkin_kdf: KdfParams | None = None

    @classmethod
    def open(  # noqa: PLR0913 - the options a front end passes on
        cls,
        home: Path,
        *,
        server: str | None = None,
        clock: Callable[[], float] = time.time,
        keystore: str | None = None,
        connect: Callable[[str], ServiceClient] = connect_client,
        sleep: Callable[[float], None] = time.sleep,
        name: str = "",
        checkin_kdf: KdfParams | None = None,
    ) -> Session:
        """The session of the device folder ``home``."""
        vault = Vault(home, on_change=pending_hook(home), keystore=keystore)
        return cls(vault, clock, server, connect, sleep, name, checkin_kdf)

    @property
    def home(self) -> Path:
        """The device's folder."""
        return self.vault.home

    @property
    def device_name(self) -> str:
        """What the service lists this device as."""
        return self.name or default_device_name(self.vault.vault_id() or "")

    def now_ms(self) -> int:
        """The clock in Unix milliseconds, as account changes are stamped."""
        return int(self.clock() * 1000)

    # --- the backup's state ---------------------------------------------------------

    def load(self) -> VaultData:
        """A snapshot of the vault."""
        return self.vault.load()

    def backup(self) -> BackupState:
        """The backup state as the vault holds it now (a snapshot: edit with :meth:`edit`)."""
        return self.vault.load().state.get(BackupState)

    @contextlib.contextmanager
    def edit(self) -> Iterator[BackupState]:
        """The backup state in a vault transaction: what is changed on it is saved."""
        with self.vault.transaction() as data:
            yield data.state.get(BackupState)

    # --- the service ------------------------------------------------------------------

    def server_url(self) -> str:
        """The service to talk to: the option, else the one the backup was made with."""
        return resolve_server(self.server_option, self.backup().server_url or None)

    def client(self, state: BackupState | None = None, *, url: str | None = None) -> ServiceClient:
        """A client for the service, signed in with ``state``'s session if it has one.

        A session belongs to the service that granted it: its token is never sent to
        another one, whatever ``--server`` or ``OTPKEEP_SERVER`` names now.
        """
        target = url or self.server_url()
        if state is None or not state.session_token:
            return self.connect(target)
        owner = state.server_url or target
        if owner.rstrip("/") != target.rstrip("/"):
            raise ServiceError(
                f"This device's backup is with {owner}, not {target}: use that service, or "
                "turn backup off and on again to move it."
            )
        client = self.connect(owner)
        client.token = state.session_token
        client.renew = self._renew
        client.heard = self._heard
        return client

    def _renew(self, client: ServiceClient) -> str | None:
        """Renew a full session whose life ran out, with the data key; the new token."""
        state = self.backup()
        if state.data_key is None or not state.account_id or client.token != state.session_token:
            return None
        from otpkeep.device.proofs import possession_header  # noqa: PLC0415 - on renewal only

        header = possession_header(
            client,
            data_key=state.data_key,
            account_id=uuid.UUID(state.account_id),
            action=PossessionAction.SESSION,
        )
        granted = client.sign_in(header)
        with self.edit() as current:
            current.session_token = granted.session_token
            current.session_id = str(granted.session_id)
            current.scope = granted.scope
        client.token = granted.session_token
        return granted.session_token

    def _heard(self, client: ServiceClient, refusal: ServiceRefusal) -> None:
        """Remember that the service ended this device's session, and why.

        A backup deleted or destroyed elsewhere turns backup off here (the accounts stay);
        a session revoked, replaced or undone keeps the data key, so that the device can
        sign in again after verifying its address.
        """
        if refusal.code not in _SIGNED_OUT:
            return
        if refusal.code is ErrorCode.SESSION_EXPIRED and refusal.details.get("renewable"):
            return
        reason = str(refusal.details.get("reason") or refusal.code.value)
        with self.edit() as state:
            if not state.session_token or client.token != state.session_token:
                return
            if reason in _GONE:
                state.forget_session()
            state.signed_out = reason

    def config(self, *, refresh: bool = True) -> m.ServiceConfig:
        """The service's configuration: fetched (and cached) when ``refresh``, else cached."""
        if not refresh:
            return cached_config(self.vault.load())
        with self.connect(self.server_url()) as client:
            return refresh_config(self.vault, client, now=self.clock())

    def sync(self, *, heal: bool = False) -> SyncResult:
        """Upload the accounts now (backup on): merge what other devices changed first.

        ``heal``: upload over a newest version that cannot be opened (see
        :mod:`otpkeep.device.backup.sync`).
        """
        from otpkeep.device.backup.sync import upload  # noqa: PLC0415 - not on every path

        with self.client(self.backup()) as client:
            return upload(self.vault, client, clock=self.clock, heal=heal)

    # --- notifications ----------------------------------------------------------------

    def notifications(
        self, *, online: bool, events: list[m.Event] | None = None
    ) -> tuple[list[Notification], list[m.Event] | None]:
        """Every notification that applies now, and the security events they were made from.

        ``online``: refresh the configuration and fetch the newest security events (a
        device that never had a session stays offline: nothing is sent to a service the
        person has not chosen); the events are None when they could not be fetched.
        ``events``: the last ones fetched, used when not fetching.
        """
        state = self.backup()
        config = cached_config(self.vault.load())
        if not state.verified:
            events = []
        if online and state.session_token:
            try:
                with self.client(state) as client:
                    config = refresh_config(self.vault, client, now=self.clock())
                    if state.verified:
                        events = client.events().events[:MAX_EVENTS]
            except ServiceError:
                events = None
        data = self.vault.load()
        return collect(data, config, now=self.clock(), events=events), events
