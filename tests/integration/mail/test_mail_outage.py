"""A database outage in the middle of a batch: once it answers again, nothing waits for a lease."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session

from otpkeep.errors import MailDeliveryError
from otpkeep.server.db.outbox import LEASE, OutboxMessage
from otpkeep.server.mail.mailer import MemoryMailer
from otpkeep.server.mail.outbox import enqueue
from otpkeep.server.mail.sender import OutboxSender

OUTBOX_KEY = bytes(range(32))
"""The key these tests seal outbox bodies with (a service derives it from its seed)."""

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from email.message import EmailMessage

    from sqlalchemy import Engine

    from conftest import SteppingClock

MAIL_FROM = "no-reply@example.org"


class Outage:
    """Makes every statement on an engine fail, as a database that went away does."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.down = threading.Event()
        event.listen(engine, "before_cursor_execute", self._refuse)

    def _refuse(self, *_: Any) -> None:
        if self.down.is_set():
            cause = ConnectionRefusedError(111, "Connection refused")
            raise OperationalError("statement", None, cause)

    def remove(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._refuse)


@pytest.fixture
def outage(engine: Engine) -> Iterator[Outage]:
    """A switch that takes the test's database away and brings it back."""
    switch = Outage(engine)
    yield switch
    switch.remove()


class CuttingMailer(MemoryMailer):
    """Delivers every message; calls ``during_send`` with each message it has delivered."""

    def __init__(self, during_send: Callable[[int], None]) -> None:
        super().__init__()
        self.during_send = during_send

    def send(self, message: EmailMessage) -> None:
        super().send(message)
        self.during_send(len(self.messages))


class DownMailer:
    """A mail server that cannot take any message; cuts the database on the first try."""

    def __init__(self, outage: Outage) -> None:
        self.outage = outage
        self.calls = 0

    def send(self, message: object) -> None:
        del message
        self.calls += 1
        if self.calls == 1:
            self.outage.down.set()
        cause = ConnectionRefusedError(111, "Connection refused")
        raise MailDeliveryError("down", permanent=False) from cause


def _enqueue(engine: Engine, clock: SteppingClock, count: int) -> None:
    with Session(engine) as db:
        for number in range(count):
            enqueue(
                db,
                key=OUTBOX_KEY,
                to=f"person{number}@example.org",
                template="passcode_failed",
                context={
                    "tries_left": 9,
                    "next_try": "now",
                    "what": "entered a wrong backup passcode",
                },
                now=clock(),
            )
        db.commit()


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as db:
        return list(db.scalars(select(OutboxMessage)))


def test_rows_held_when_the_database_went_away_are_delivered_once_it_returns(
    engine: Engine, clock: SteppingClock, outage: Outage
) -> None:
    """Delivered rows are marked sent and the rest delivered at once, each exactly once."""
    _enqueue(engine, clock, 4)

    def cut_after_first(delivered: int) -> None:
        if delivered == 1:
            outage.down.set()

    mailer = CuttingMailer(cut_after_first)
    sender = OutboxSender(engine, key=OUTBOX_KEY, mailer=mailer, mail_from=MAIL_FROM, clock=clock)
    with pytest.raises(SQLAlchemyError):
        sender.deliver_due()
    assert len(mailer.messages) == 1
    clock.advance(seconds=2)
    with pytest.raises(SQLAlchemyError):
        sender.deliver_due()
    outage.down.clear()
    clock.advance(seconds=2)

    assert sender.drain().sent == 4
    rows = _rows(engine)
    assert sorted(str(m["Message-ID"]) for m in mailer.messages) == sorted(
        row.message_id for row in rows
    )
    assert all(row.sent_at is not None for row in rows)
    assert all((row.body, row.claimed_until) == (None, None) for row in rows)


def test_a_failure_cut_off_by_the_outage_is_recorded_when_the_database_returns(
    engine: Engine, clock: SteppingClock, outage: Outage
) -> None:
    """The failed attempt counts, with its backoff; the rows not tried are free again."""
    _enqueue(engine, clock, 3)
    mailer = DownMailer(outage)
    sender = OutboxSender(engine, key=OUTBOX_KEY, mailer=mailer, mail_from=MAIL_FROM, clock=clock)
    with pytest.raises(SQLAlchemyError):
        sender.deliver_due()
    outage.down.clear()
    clock.advance(seconds=1)
    sender.drain_safely()

    rows = _rows(engine)
    assert mailer.calls == 3
    assert sorted(row.attempts for row in rows) == [1, 1, 1]
    assert {row.last_error for row in rows} == {"ConnectionRefusedError"}
    assert {row.claimed_until for row in rows} == {None}
    tried_first = min(rows, key=lambda row: row.next_attempt_at or clock())
    assert tried_first.next_attempt_at == clock() - timedelta(seconds=1) + timedelta(seconds=5)


def test_a_batch_that_outlasts_half_its_lease_hands_the_rest_back(
    engine: Engine, clock: SteppingClock
) -> None:
    """No message is handed over on a lease about to end: the rest are claimed afresh."""
    _enqueue(engine, clock, 2)

    def slow(delivered: int) -> None:
        del delivered
        clock.now += LEASE / 2

    mailer = CuttingMailer(slow)
    sender = OutboxSender(engine, key=OUTBOX_KEY, mailer=mailer, mail_from=MAIL_FROM, clock=clock)
    assert sender.deliver_due().sent == 1
    [waiting] = [row for row in _rows(engine) if row.sent_at is None]
    assert (waiting.claimed_until, waiting.body is not None) == (None, True)
    assert sender.deliver_due().sent == 1
    assert len(mailer.messages) == 2
    assert all(row.sent_at is not None for row in _rows(engine))
