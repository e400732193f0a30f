"""Several workers draining one outbox deliver every message exactly once."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otpkeep.server.db.engine import open_engine
from otpkeep.server.db.outbox import OutboxMessage
from otpkeep.server.mail.outbox import enqueue
from otpkeep.server.mail.sender import run_worker

if TYPE_CHECKING:
    from email.message import EmailMessage

    from sqlalchemy import Engine

    from conftest import MailSettingsFake

OUTBOX_KEY = bytes(range(32))
"""The key these tests seal outbox bodies with (a service derives it from its seed)."""

MESSAGES = 120


class SharedRecorder:
    """One mail server seen by every worker: counts each Message-ID and which worker sent it."""

    def __init__(self, workers: int) -> None:
        self.seen: Counter[str] = Counter()
        self.by_worker: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._both_busy = threading.Barrier(workers, timeout=10)
        self._met: set[str] = set()

    def send(self, message: EmailMessage) -> None:
        worker = threading.current_thread().name
        if worker not in self._met:
            self._met.add(worker)
            self._both_busy.wait()  # every worker holds a claimed batch at this moment
        time.sleep(0.001)
        with self._lock:
            self.seen[str(message["Message-ID"])] += 1
            self.by_worker[worker] += 1


def test_two_workers_deliver_every_message_exactly_once(
    database_url: str, engine: Engine, mail_settings: MailSettingsFake
) -> None:
    """Two workers, each with its own connection pool, share the outbox without a duplicate."""
    now = datetime.now(UTC)
    with Session(engine) as db:
        for number in range(MESSAGES):
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
                now=now,
            )
        db.commit()
    recorder = SharedRecorder(workers=2)
    engines = [open_engine(database_url), open_engine(database_url)]
    stop = threading.Event()
    workers = [
        threading.Thread(
            target=run_worker,
            args=(mail_settings, worker_engine),
            kwargs={"key": OUTBOX_KEY, "stop": stop, "mailer": recorder},
            name=f"worker-{index}",
        )
        for index, worker_engine in enumerate(engines)
    ]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 60
    while sum(recorder.seen.values()) < MESSAGES and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.6)  # one more poll each: nothing may be sent twice
    stop.set()
    for worker in workers:
        worker.join(10)
    for worker_engine in engines:
        worker_engine.dispose()

    with Session(engine) as db:
        message_ids = set(db.scalars(select(OutboxMessage.message_id)))
        unsent = db.scalar(select(func.count()).where(OutboxMessage.sent_at.is_(None)))
    assert set(recorder.seen) == message_ids
    assert set(recorder.seen.values()) == {1}
    assert unsent == 0
    assert set(recorder.by_worker) == {"worker-0", "worker-1"}
