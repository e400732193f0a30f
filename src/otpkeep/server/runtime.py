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
    from sqlalchemy.engine import Connection, Engine
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
    def direct(self) -> Iterator[Connection]:
        """As :meth:`unit`, on a Core connection: for the data path's prepared statements.

        On PostgreSQL the connection is in autocommit mode: each statement of the data path
        is atomic on its own, and BEGIN and COMMIT would cost two round trips more.
        """
        options = {} if self.inline else {"isolation_level": "AUTOCOMMIT"}
        with self.engine.connect().execution_options(**options) as connection:
            try:
                yield connection
            except Refusal:
                connection.commit()
                raise
            except BaseException:
                connection.rollback()
                raise
            else:
                connection.commit()

    @property
    def inline(self) -> bool:
        """Whether the data path runs on the event loop: on SQLite a thread buys nothing.

        SQLite's statements are local calls on the one pooled connection, so requests
        take turns either way; PostgreSQL's are network round trips, run in a thread.
        """
        return self.engine.dialect.name == "sqlite"

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
