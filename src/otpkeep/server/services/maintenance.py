"""The janitor's work: count abandoned passcode tries, forget what has expired.

Run once a minute by every serving process (see :mod:`otpkeep.server.janitor`); each
step is idempotent and takes the same locks as requests, so several processes may run
it at once. A recovery attempt that expired unproven is a failure: it is counted and
mailed here even if its device never comes back, so no try is spent unseen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from otpkeep.server.db import challenges, limits, passcodes, sessions, undos, verifications
from otpkeep.server.services import recovery

if TYPE_CHECKING:
    from otpkeep.server.runtime import Runtime

KEEP_CLOSED = dt.timedelta(days=1)
KEEP_ENDED_SESSIONS = dt.timedelta(days=30)
LIMIT_WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True)
class MaintenanceReport:
    """What one run did."""

    attempts_counted: int
    rows_purged: int


def run(rt: Runtime) -> MaintenanceReport:
    """Count every expired recovery attempt, then purge expired rows."""
    now = rt.now()
    with rt.unit() as db:
        waiting = challenges.accounts_with_expired_attempts(db, now=now)
    counted = 0
    for account_id in waiting:
        with rt.unit() as db:
            row = passcodes.get(db, account_id, lock=True)
            if row is None:
                challenges.remove_all(db, account_id)
                continue
            before = row.failures
            destroyed = recovery.settle_expired(rt, db, row, now=now)
            counted += 1 if destroyed else row.failures - before
    with rt.unit() as db:
        purged = (
            challenges.purge(db, before=now - KEEP_CLOSED)
            + verifications.purge(db, before=now - KEEP_CLOSED)
            + sessions.purge(db, before=now - KEEP_ENDED_SESSIONS)
            + limits.purge(db, before=now - LIMIT_WINDOW)
            + undos.purge(db, before=now)
        )
    return MaintenanceReport(attempts_counted=counted, rows_purged=purged)
