"""The outbox on a real database: enqueue, claim, deliver, retry, give up, purge."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from otpkeep.errors import ConfigurationError, MailDeliveryError
from otpkeep.server.db.outbox import LEASE, MAX_ATTEMPTS, OutboxMessage, claim
from otpkeep.server.mail.mailer import MemoryMailer
from otpkeep.server.mail.outbox import enqueue, open_body
from otpkeep.server.mail.sender import OutboxSender, run_worker, start_sender
from otpkeep.server.settings import Settings
from service_harness import mail_text

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from sqlalchemy import Engine

    from conftest import MailSettingsFake, SteppingClock

OUTBOX_KEY = bytes(range(32))
"""The key these tests seal outbox bodies with (a service derives it from its seed)."""

CODE = "583920"
LINK = "otpkeep://verify?id=5d1f&code=583920"
CODE_CONTEXT: dict[str, str | int] = {
    "code": CODE,
    "link": LINK,
    "purpose": "enable",
    "minutes": 10,
}


class FailingMailer:
    """A mail server that is down, or that refuses every message."""

    def __init__(self, *, permanent: bool = False) -> None:
        self.permanent = permanent
        self.calls = 0

    def send(self, message: object) -> None:
        self.calls += 1
        cause = ConnectionRefusedError(111, "Connection refused")
        raise MailDeliveryError("down", permanent=self.permanent) from cause


def _enqueue(
    engine: Engine,
    clock: SteppingClock,
    to: str = "ada@example.org",
    template: str = "verification_code",
    context: Mapping[str, str | int] | None = None,
) -> None:
    with Session(engine) as db:
        enqueue(
            db,
            key=OUTBOX_KEY,
            to=to,
            template=template,
            context=context or CODE_CONTEXT,
            now=clock(),
        )
        db.commit()


def _rows(engine: Engine) -> list[OutboxMessage]:
    with Session(engine) as db:
        return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def test_enqueue_stores_a_complete_message_in_the_callers_transaction(
    engine: Engine, clock: SteppingClock
) -> None:
    """The row holds the RFC 5322 message, sealed; a rolled-back transaction leaves no mail."""
    with Session(engine) as db:
        enqueue(
            db,
            key=OUTBOX_KEY,
            to="ada@example.org",
            template="backup_enabled",
            context={},
            now=clock(),
        )
        db.rollback()
    assert _rows(engine) == []
    _enqueue(engine, clock)
    [row] = _rows(engine)
    assert row.body is not None
    assert row.sealed
    assert CODE.encode() not in row.body
    message = BytesParser(policy=policy.SMTP).parsebytes(open_body(OUTBOX_KEY, row.id, row.body))
    assert message["Message-ID"] == row.message_id
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == row.subject == "Your otpkeep code to turn on backup"
    assert parsedate_to_datetime(message["Date"]) == clock()
    assert CODE in mail_text(message)
    assert message.get_body(("html",)) is not None
    assert row.attempts == 0
    assert row.next_attempt_at == clock()
    assert row.sent_at is None


def test_the_file_mailer_writes_a_parseable_eml_and_the_body_is_removed(
    engine: Engine, clock: SteppingClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """With default settings a worker writes the message as .eml and clears the body column."""
    settings = Settings(data_dir=tmp_path / "data", mail_from="Backups <backup@example.org>")
    _enqueue(engine, clock)
    with caplog.at_level(logging.INFO, logger="otpkeep.server.mail"):
        run_worker(settings, engine, key=OUTBOX_KEY, once=True, clock=clock)
    [path] = (tmp_path / "data" / "mail").glob("*.eml")
    assert path.name.startswith("20260301T090000Z-")
    assert path.stat().st_mode & 0o777 == 0o600
    message = BytesParser(policy=policy.SMTP).parsebytes(path.read_bytes())
    [row] = _rows(engine)
    assert message["From"] == "Backups <backup@example.org>"
    assert message["To"] == "ada@example.org"
    assert message["Message-ID"] == row.message_id
    assert CODE in mail_text(message)
    assert row.body is None
    assert row.sent_at == clock()
    assert row.next_attempt_at is None
    assert str(path) in caplog.text
    assert "delivered to a recipient at example.org" in caplog.text
    assert CODE not in caplog.text
    assert "ada@" not in caplog.text
    assert "otpkeep://" not in caplog.text


def test_failures_back_off_then_give_up_and_say_so(
    engine: Engine, clock: SteppingClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Each failure waits longer (5 s, 30 s, 2 min, 10 min, 1 h ...); the tenth gives up."""
    mailer = FailingMailer()
    sender = OutboxSender(
        engine, key=OUTBOX_KEY, mailer=mailer, mail_from="no-reply@example.org", clock=clock
    )
    _enqueue(engine, clock)
    waits = []
    with caplog.at_level(logging.INFO, logger="otpkeep.server.mail"):
        for _ in range(MAX_ATTEMPTS):
            report = sender.deliver_due()
            assert report.retried + report.given_up == 1
            [row] = _rows(engine)
            if row.next_attempt_at is None:
                break
            waits.append(row.next_attempt_at - clock())
            clock.advance(seconds=1)
            assert sender.deliver_due().retried == 0
            clock.now = row.next_attempt_at
    assert waits[:5] == [
        timedelta(seconds=5),
        timedelta(seconds=30),
        timedelta(minutes=2),
        timedelta(minutes=10),
        timedelta(hours=1),
    ]
    assert waits[5:] == [timedelta(hours=1)] * (MAX_ATTEMPTS - 6)
    [row] = _rows(engine)
    assert (row.attempts, row.sent_at, row.body) == (MAX_ATTEMPTS, None, None)
    assert row.last_error == "ConnectionRefusedError"
    assert mailer.calls == MAX_ATTEMPTS
    assert f"given up after {MAX_ATTEMPTS} attempts (ConnectionRefusedError)" in caplog.text
    assert CODE not in caplog.text


def test_a_permanent_refusal_is_not_retried(engine: Engine, clock: SteppingClock) -> None:
    """A message the server refuses for good is given up at once and its body removed."""
    sender = OutboxSender(
        engine,
        key=OUTBOX_KEY,
        mailer=FailingMailer(permanent=True),
        mail_from="no-reply@example.org",
        clock=clock,
    )
    _enqueue(engine, clock)
    assert sender.drain().given_up == 1
    [row] = _rows(engine)
    assert (row.attempts, row.next_attempt_at, row.body) == (1, None, None)


def test_a_lost_lease_redelivers_with_the_same_message_id(
    engine: Engine, clock: SteppingClock
) -> None:
    """A sender that died after claiming leaves the message to another once the lease ends."""
    _enqueue(engine, clock)
    with Session(engine) as db:
        [crashed] = claim(db, now=clock())
    mailer = MemoryMailer()
    sender = OutboxSender(
        engine, key=OUTBOX_KEY, mailer=mailer, mail_from="no-reply@example.org", clock=clock
    )
    assert sender.drain().sent == 0
    clock.now += LEASE
    assert sender.drain().sent == 1
    assert [m["Message-ID"] for m in mailer.messages] == [crashed.message_id]
    assert mailer.latest_code("ada@example.org") == CODE
    assert mailer.latest_link("ada@example.org") == LINK


def test_settled_rows_are_purged_after_a_week(engine: Engine, clock: SteppingClock) -> None:
    """Delivered rows, with their recipient, leave the database after seven days."""
    mailer = MemoryMailer()
    sender = OutboxSender(
        engine, key=OUTBOX_KEY, mailer=mailer, mail_from="no-reply@example.org", clock=clock
    )
    _enqueue(engine, clock, to="old@example.org")
    sender.drain()
    clock.advance(days=8)
    _enqueue(engine, clock, to="new@example.org")
    assert sender.drain().sent == 1
    assert [row.recipient for row in _rows(engine)] == ["new@example.org"]


def test_the_in_process_sender_delivers_soon_after_a_wake(
    engine: Engine, mail_settings: MailSettingsFake
) -> None:
    """A committed message reaches the mailer without waiting for the next poll."""
    mailer = MemoryMailer()
    handle = start_sender(mail_settings, engine, key=OUTBOX_KEY, mailer=mailer, interval=60)
    try:
        time.sleep(0.1)
        with Session(engine) as db:
            enqueue(
                db,
                key=OUTBOX_KEY,
                to="Grace@Example.org",
                template="device_revoked",
                context={"device_name": "Grace's tablet"},
                now=datetime.now(UTC),
            )
            db.commit()
        handle.wake()
        deadline = time.monotonic() + 10
        while not mailer.messages and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        handle.stop()
    assert not handle.running
    [message] = mailer.to("grace@example.org")
    assert message["Subject"] == "A device was removed from your otpkeep backup"
    assert message["From"] == mail_settings.mail_from


def test_a_mail_from_that_is_no_address_is_refused(
    engine: Engine, mail_settings: MailSettingsFake
) -> None:
    """The sender will not start with an unusable From address."""
    with pytest.raises(ConfigurationError, match="OTPKEEP_MAIL_FROM"):
        OutboxSender(engine, key=OUTBOX_KEY, mailer=MemoryMailer(), mail_from="otpkeep")
