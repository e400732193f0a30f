"""Counting what a transaction *committed*: mail queued, passcode tries spent, destructions.

The use cases write these facts as rows (an outbox message, a recovery challenge, a
``backup_destroyed`` event) in the transaction of the request. Listening to the session
keeps the counting out of the use cases, and counts a fact only once it is committed: a
transaction rolled back counts nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import event

from otpkeep.protocol.messages import EventKind
from otpkeep.server.db import challenges
from otpkeep.server.db.outbox import OutboxMessage
from otpkeep.server.db.tables import ChallengeRow, EventRow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from otpkeep.server.observability.instruments import Instruments

PENDING: Final = "otpkeep.observability.pending"
TRIES: Final = "passcode_try"
DESTROYED: Final = "backup_destroyed"


def _pending(session: Session) -> Counter[str]:
    found = session.info.get(PENDING)
    if found is None:
        found = session.info[PENDING] = Counter()
    return found


def _fact(row: object) -> str | None:
    """The counted fact a new row stands for, if any."""
    if isinstance(row, OutboxMessage):
        return f"mail:{row.template}"
    if isinstance(row, ChallengeRow) and row.kind == challenges.RECOVERY:
        return TRIES
    if isinstance(row, EventRow) and row.kind == EventKind.BACKUP_DESTROYED.value:
        return DESTROYED
    return None


def count_commits(sessions: sessionmaker[Session], instruments: Instruments) -> None:
    """Count, on ``instruments``, the facts every session of ``sessions`` commits."""

    def after_flush(session: Session, _context: Any) -> None:
        facts = [fact for fact in map(_fact, session.new) if fact is not None]
        if facts:
            _pending(session).update(facts)

    def after_commit(session: Session) -> None:
        pending = session.info.pop(PENDING, None)
        if not pending:
            return
        for fact, count in pending.items():
            if fact == TRIES:
                instruments.tries_spent.inc(count)
            elif fact == DESTROYED:
                instruments.backups_destroyed.inc(count)
            else:
                instruments.mail_queued.labels(template=fact.removeprefix("mail:")).inc(count)

    def after_rollback(session: Session) -> None:
        session.info.pop(PENDING, None)

    event.listen(sessions, "after_flush", after_flush)
    event.listen(sessions, "after_commit", after_commit)
    event.listen(sessions, "after_rollback", after_rollback)
