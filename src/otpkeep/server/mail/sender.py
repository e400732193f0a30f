"""The sender: drains the outbox through a mailer, in-process or as ``otpkeep-server worker``.

Each pass claims a batch of due rows (a lease, committed), delivers them outside any
transaction, and settles each row in its own short transaction. A message is handed over
only while more than half of its lease remains; the rest of a slow batch is released and
claimed afresh, so no lease ends while its holder may still deliver.

When the database fails in the middle of a batch, the sender keeps the rows it holds (the
outcome of the attempt it could not record, and the rows it has not tried) and the next
pass that reaches the database settles them first: it records the outcome and releases the
others, which are then due at once rather than when their lease ends. A process that dies
after delivering and before settling leaves the row to be delivered again when its lease
ends, with the same Message-ID, so the receiving side can drop the duplicate.

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

from otpkeep.errors import ConfigurationError, DecryptionError, MailDeliveryError
from otpkeep.server.db.outbox import LEASE, claim, mark_failed, mark_sent, purge, release
from otpkeep.server.mail.mailer import mailer_from_settings
from otpkeep.server.mail.message import id_hash, parse, recipient_domain
from otpkeep.server.mail.outbox import open_body

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from otpkeep.server.db.outbox import ClaimedMessage
    from otpkeep.server.mail.mailer import Mailer, MailSettings

logger = logging.getLogger(__name__)

POLL_INTERVAL: Final = 0.5
RETENTION: Final = timedelta(days=7)
PURGE_EVERY: Final = timedelta(hours=1)
FRESH_LEASE: Final = LEASE / 2


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


@dataclass(frozen=True, slots=True)
class Attempt:
    """Handing one message to the mailer, ended at ``at``: delivered unless ``error`` is set."""

    at: datetime
    error: str | None = None
    permanent: bool = False


@dataclass(slots=True)
class Held:
    """A claimed row the sender has not settled yet, with its attempt once made."""

    message: ClaimedMessage
    attempt: Attempt | None = None


class OutboxSender:
    """Delivers due outbox rows through ``mailer``, from ``mail_from``; ``key`` opens bodies."""

    def __init__(  # noqa: PLR0913 - the sender's wiring, clock and batch are test seams
        self,
        engine: Engine,
        mailer: Mailer,
        *,
        key: bytes,
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
        self.key = key
        self.mail_from = mail_from
        self.clock = clock
        self.batch = batch
        self._purged_at: datetime | None = None
        self._held: list[Held] = []

    def deliver_due(self) -> DeliveryReport:
        """Settle the rows an earlier pass still holds, then claim one batch and deliver it.

        A database error ends the pass; the rows still held are settled by the next one.
        """
        report = self._settle_held()
        with Session(self.engine) as db:
            claimed = claim(db, now=self.clock(), limit=self.batch)
        self._held = [Held(message) for message in claimed]
        for held in list(self._held):
            if self.clock() + FRESH_LEASE >= held.message.lease:
                break
            held.attempt = self._attempt(held.message)
            report.add(self._settle(held.message, held.attempt))
            self._held.remove(held)
        report.add(self._settle_held())
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
            logger.warning(
                "mail outbox unavailable (%s); will retry, settling %d held messages first",
                *(type(exc).__name__, len(self._held)),
            )
        except Exception as exc:  # noqa: BLE001 - logged by class name: messages may hold content
            logger.error("mail sender pass failed (%s); will retry", type(exc).__name__)  # noqa: TRY400

    def _settle_held(self) -> DeliveryReport:
        """Record the attempts still held, then release the rows not tried."""
        report = DeliveryReport()
        for held in list(self._held):
            if held.attempt is not None:
                report.add(self._settle(held.message, held.attempt))
                self._held.remove(held)
        if self._held:
            with Session(self.engine) as db:
                release(db, [held.message for held in self._held])
            self._held.clear()
        return report

    def _attempt(self, claimed: ClaimedMessage) -> Attempt:
        try:
            body = open_body(self.key, claimed.id, claimed.body) if claimed.sealed else claimed.body
        except DecryptionError:
            # Sealed under another seed's key: no retry can open it.
            return Attempt(self.clock(), "DecryptionError", permanent=True)
        try:
            message = parse(body)
            if "From" not in message:
                message["From"] = self.mail_from
            self.mailer.send(message)
        except MailDeliveryError as exc:
            error = type(exc.__cause__ or exc).__name__
            return Attempt(self.clock(), error, permanent=exc.permanent)
        except Exception as exc:  # noqa: BLE001 - a broken mailer or message must not stop the sender
            return Attempt(self.clock(), type(exc).__name__)
        return Attempt(self.clock())

    def _settle(self, claimed: ClaimedMessage, attempt: Attempt) -> DeliveryReport:
        name = f"{id_hash(claimed.message_id)} ({claimed.template})"
        domain = recipient_domain(claimed.recipient)
        error = attempt.error
        if error is None:
            with Session(self.engine) as db:
                mark_sent(db, claimed, now=attempt.at)
            logger.info("mail %s delivered to a recipient at %s", name, domain)
            return DeliveryReport(sent=1)
        with Session(self.engine) as db:
            retry_at = mark_failed(
                db, claimed, now=attempt.at, error=error, permanent=attempt.permanent
            )
        attempt_number = claimed.attempts + 1
        if retry_at is None:
            logger.error(
                "mail %s to a recipient at %s given up after %d attempts (%s)",
                *(name, domain, attempt_number, error),
            )
            return DeliveryReport(given_up=1)
        logger.warning(
            "mail %s to a recipient at %s failed (attempt %d, %s); next attempt at %s",
            *(name, domain, attempt_number, error, retry_at.isoformat(timespec="seconds")),
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


def start_sender(  # noqa: PLR0913 - mailer, clock and interval are keyword-only test seams
    settings: MailSettings,
    engine: Engine,
    *,
    key: bytes,
    mailer: Mailer | None = None,
    clock: Clock = system_clock,
    interval: float = POLL_INTERVAL,
) -> SenderHandle:
    """Start the in-process sender, delivering with the configured mailer unless given one."""
    mailer = mailer or mailer_from_settings(settings)
    sender = OutboxSender(engine, mailer, key=key, mail_from=settings.mail_from, clock=clock)
    logger.info("mail sender started, delivering with %r", mailer)
    return SenderHandle(sender, interval=interval).start()


def run_worker(  # noqa: PLR0913 - mailer and clock are keyword-only test seams
    settings: MailSettings,
    engine: Engine,
    *,
    key: bytes,
    stop: threading.Event | None = None,
    once: bool = False,
    mailer: Mailer | None = None,
    clock: Clock = system_clock,
) -> None:
    """Deliver until ``stop`` is set (or, with ``once``, until nothing is due)."""
    mailer = mailer or mailer_from_settings(settings)
    sender = OutboxSender(engine, mailer, key=key, mail_from=settings.mail_from, clock=clock)
    logger.info("mail worker started, delivering with %r", mailer)
    if once:
        sender.drain()
        return
    stop = stop or threading.Event()
    while not stop.is_set():
        sender.drain_safely()
        stop.wait(POLL_INTERVAL)
