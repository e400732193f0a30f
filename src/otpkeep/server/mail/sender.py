"""The sender: drains the outbox through a mailer, in-process or as ``otpkeep-server worker``.

Each pass claims a batch of due rows (a lease, committed), delivers them outside any
transaction, and settles each row in its own short transaction. A process that dies after
delivering and before settling leaves the row to be delivered again when its lease ends,
with the same Message-ID, so the receiving side can drop the duplicate.

Logs name a message by the hash of its Message-ID, its template and the recipient's
domain; never the body, a code or a link.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import TYPE_CHECKING, Final, Protocol

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from otpkeep.errors import ConfigurationError, MailDeliveryError
from otpkeep.server.mail.mailer import mailer_from_settings
from otpkeep.server.mail.message import id_hash, parse, recipient_domain
from otpkeep.server.mail.outbox import claim, mark_failed, mark_sent, purge

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from otpkeep.server.mail.mailer import Mailer, MailSettings
    from otpkeep.server.mail.outbox import ClaimedMessage

logger = logging.getLogger(__name__)

POLL_INTERVAL: Final = 0.5
RETENTION: Final = timedelta(days=7)
PURGE_EVERY: Final = timedelta(hours=1)


class Clock(Protocol):
    """Tells the time; tests pass a fixed or stepping one."""

    def __call__(self) -> datetime: ...


def system_clock() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


@dataclass(slots=True)
class DeliveryReport:
    """What a pass did: messages delivered, to be retried, and given up."""

    sent: int = 0
    retried: int = 0
    given_up: int = 0

    def add(self, other: DeliveryReport) -> None:
        """Count ``other`` in."""
        self.sent += other.sent
        self.retried += other.retried
        self.given_up += other.given_up


class OutboxSender:
    """Delivers due outbox rows through ``mailer``, from ``mail_from``."""

    def __init__(
        self,
        engine: Engine,
        mailer: Mailer,
        *,
        mail_from: str,
        clock: Clock = system_clock,
        batch: int = 20,
    ) -> None:
        if "@" not in parseaddr(mail_from)[1]:
            raise ConfigurationError(
                "OTPKEEP_MAIL_FROM is not an email address: write it as "
                '"otpkeep <no-reply@example.org>".'
            )
        self.engine = engine
        self.mailer = mailer
        self.mail_from = mail_from
        self.clock = clock
        self.batch = batch
        self._purged_at: datetime | None = None

    def deliver_due(self) -> DeliveryReport:
        """Claim one batch of due messages and deliver it."""
        report = DeliveryReport()
        with Session(self.engine) as db:
            claimed = claim(db, now=self.clock(), limit=self.batch)
        for message in claimed:
            report.add(self._deliver(message))
        return report

    def drain(self) -> DeliveryReport:
        """Deliver until nothing is due; purge settled rows once an hour."""
        total = DeliveryReport()
        while True:
            report = self.deliver_due()
            total.add(report)
            if not (report.sent or report.retried or report.given_up):
                break
        now = self.clock()
        if self._purged_at is None or now - self._purged_at >= PURGE_EVERY:
            with Session(self.engine) as db:
                purge(db, before=now - RETENTION)
            self._purged_at = now
        return total

    def drain_safely(self) -> None:
        """:meth:`drain`, logging rather than raising, so that the sender outlives a failure."""
        try:
            self.drain()
        except SQLAlchemyError as exc:
            logger.warning("mail outbox unavailable (%s); will retry", type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - logged by class name: messages may hold content
            logger.error("mail sender pass failed (%s); will retry", type(exc).__name__)  # noqa: TRY400

    def _deliver(self, claimed: ClaimedMessage) -> DeliveryReport:
        name = f"{id_hash(claimed.message_id)} ({claimed.template})"
        domain = recipient_domain(claimed.recipient)
        message = parse(claimed.body)
        if "From" not in message:
            message["From"] = self.mail_from
        try:
            self.mailer.send(message)
        except MailDeliveryError as exc:
            error, permanent = type(exc.__cause__ or exc).__name__, exc.permanent
        except Exception as exc:  # noqa: BLE001 - a broken mailer must not stop the sender
            error, permanent = type(exc).__name__, False
        else:
            with Session(self.engine) as db:
                mark_sent(db, claimed, now=self.clock())
            logger.info("mail %s delivered to a recipient at %s", name, domain)
            return DeliveryReport(sent=1)
        with Session(self.engine) as db:
            retry_at = mark_failed(db, claimed, now=self.clock(), error=error, permanent=permanent)
        attempt = claimed.attempts + 1
        if retry_at is None:
            logger.error(
                "mail %s to a recipient at %s given up after %d attempts (%s)",
                *(name, domain, attempt, error),
            )
            return DeliveryReport(given_up=1)
        logger.warning(
            "mail %s to a recipient at %s failed (attempt %d, %s); next attempt at %s",
            *(name, domain, attempt, error, retry_at.isoformat(timespec="seconds")),
        )
        return DeliveryReport(retried=1)


class SenderHandle:
    """The in-process sender: a daemon thread that polls the outbox and can be woken."""

    def __init__(self, sender: OutboxSender, *, interval: float = POLL_INTERVAL) -> None:
        self.sender = sender
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="otpkeep-mail", daemon=True)

    def start(self) -> SenderHandle:
        """Start the thread; return self."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Look at the outbox now (call it after committing a message)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish the current pass and end the thread."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sender.drain_safely()
            self._wake.wait(self.interval)
            self._wake.clear()


def start_sender(
    settings: MailSettings,
    engine: Engine,
    *,
    mailer: Mailer | None = None,
    clock: Clock = system_clock,
    interval: float = POLL_INTERVAL,
) -> SenderHandle:
    """Start the in-process sender, delivering with the configured mailer unless given one."""
    mailer = mailer or mailer_from_settings(settings)
    sender = OutboxSender(engine, mailer, mail_from=settings.mail_from, clock=clock)
    logger.info("mail sender started, delivering with %r", mailer)
    return SenderHandle(sender, interval=interval).start()


def run_worker(  # noqa: PLR0913 - mailer and clock are keyword-only test seams
    settings: MailSettings,
    engine: Engine,
    *,
    stop: threading.Event | None = None,
    once: bool = False,
    mailer: Mailer | None = None,
    clock: Clock = system_clock,
) -> None:
    """Deliver until ``stop`` is set (or, with ``once``, until nothing is due)."""
    mailer = mailer or mailer_from_settings(settings)
    sender = OutboxSender(engine, mailer, mail_from=settings.mail_from, clock=clock)
    logger.info("mail worker started, delivering with %r", mailer)
    if once:
        sender.drain()
        return
    stop = stop or threading.Event()
    while not stop.is_set():
        sender.drain_safely()
        stop.wait(POLL_INTERVAL)
