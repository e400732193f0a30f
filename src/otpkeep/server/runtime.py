"""What every use case needs: settings, derived keys, the database and the clock.

:meth:`Runtime.unit` is the unit of work of one request: one transaction, committed at
the end, and committed too when the use case refuses with a :class:`Refusal` (a
refusal may have spent a try, and that must stick); any other error rolls back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from otpkeep.server.errors import Refusal

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from otpkeep.server.keys import ServiceKeys
    from otpkeep.server.settings import Settings

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Runtime:
    """The service's wiring, built once by ``create_app``."""

    settings: Settings
    keys: ServiceKeys = field(repr=False)
    engine: Engine
    sessions: sessionmaker[Session]
    clock: Clock = utc_now

    def now(self) -> dt.datetime:
        """The clock's time (aware, UTC)."""
        return self.clock().astimezone(dt.UTC)

    @contextmanager
    def unit(self) -> Iterator[Session]:
        """One transaction; committed on success and on a Refusal, rolled back otherwise."""
        db = self.sessions()
        try:
            yield db
        except Refusal:
            db.commit()
            raise
        except BaseException:
            db.rollback()
            raise
        else:
            db.commit()
        finally:
            db.close()
