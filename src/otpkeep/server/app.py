"""``create_app(settings)``: the backup service as an ASGI app.

Building the app opens the database, runs the migrations and checks the vault seed, so
a service that cannot work refuses before it listens. The app's lifespan runs the
janitor and the in-process mail sender (unless ``mail_delivery`` is ``worker``).
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from otpkeep.server import problems
from otpkeep.server.accesslog import AccessLog
from otpkeep.server.bodylimit import BodyLimit
from otpkeep.server.db.engine import open_engine, session_factory
from otpkeep.server.db.migrate import migrate
from otpkeep.server.janitor import Janitor
from otpkeep.server.keys import OUTBOX, ServiceKeys, derive
from otpkeep.server.mail.mailer import mailer_from_settings
from otpkeep.server.mail.outbox import wake_after_commit
from otpkeep.server.mail.sender import SenderHandle, start_sender
from otpkeep.server.observability import Instruments, install
from otpkeep.server.routes import account, backup, config, health, passcode, verifications
from otpkeep.server.routes.deps import SECURITY_SCHEME
from otpkeep.server.runtime import Clock, Runtime, utc_now
from otpkeep.server.seed import load_seed
from otpkeep.server.web import landing, undo

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from sqlalchemy.engine import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from otpkeep.server.mail.mailer import Mailer
    from otpkeep.server.settings import Settings

logger = logging.getLogger("otpkeep.server")


def _open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session], bytes]:
    """Open and migrate the database and read the seed that matches it."""
    engine = open_engine(
        settings.resolved_database_url, postgres_pool_size=settings.database_pool_size
    )
    try:
        migrate(engine)
        sessions = session_factory(engine)
        with sessions() as db:
            seed = load_seed(db, settings.resolved_seed_file)
    except BaseException:
        engine.dispose()
        raise
    return engine, sessions, seed


def open_runtime(settings: Settings, *, clock: Clock = utc_now) -> Runtime:
    """Open and migrate the database, check the seed; the wiring every use case needs."""
    engine, sessions, seed = _open_database(settings)
    return Runtime(
        settings=settings,
        keys=ServiceKeys.from_seed(seed),
        engine=engine,
        sessions=sessions,
        clock=clock,
    )


def open_outbox(settings: Settings) -> tuple[Engine, bytes]:
    """The database and the outbox key, for a mail worker: of the seed it keeps nothing else.

    The seed is read (and checked against the database) only to derive the key that opens
    outbox bodies; a worker never holds an OPRF key or any other key of the service.
    """
    engine, _sessions, seed = _open_database(settings)
    return engine, derive(seed, OUTBOX)


class _MailWaker:
    """Wakes the in-process sender after a commit that queued mail."""

    def __init__(self) -> None:
        self.handle: SenderHandle | None = None

    def __call__(self) -> None:
        if self.handle is not None:
            self.handle.wake()


def create_app(
    settings: Settings, *, clock: Clock = utc_now, mailer: Mailer | None = None
) -> FastAPI:
    """The service for ``settings``; ``clock`` and ``mailer`` are seams for tests."""
    runtime = open_runtime(settings, clock=clock)
    instruments = Instruments()
    waker = _MailWaker()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        janitor = Janitor(runtime).start()
        if settings.mail_delivery == "inprocess":
            counted = instruments.counted(mailer or mailer_from_settings(settings))
            waker.handle = start_sender(
                settings, runtime.engine, key=runtime.keys.outbox, mailer=counted
            )
        try:
            yield
        finally:
            janitor.stop()
            if waker.handle is not None:
                waker.handle.stop()
                waker.handle = None
            runtime.engine.dispose()

    app = FastAPI(
        title="otpkeep backup service",
        version="1",
        description="Verifies email addresses, guards the passcode with counted tries, and "
        "stores end-to-end encrypted backups: ciphertext only.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    problems.install(app)
    for router in (  # the busiest first: a request is matched against routes in this order
        backup.router,
        health.router,
        config.router,
        verifications.router,
        passcode.router,
        account.router,
        landing.router,
        undo.router,
    ):
        app.include_router(router)
    app.add_middleware(
        BodyLimit,
        max_request_bytes=settings.max_request_bytes,
        max_backup_bytes=settings.max_backup_bytes,
    )
    app.add_middleware(AccessLog)
    wake_after_commit(runtime.sessions, waker)
    install(app, runtime, instruments)
    _describe_security(app)
    return app


def _describe_security(app: FastAPI) -> None:
    """Name the session token's scheme in the OpenAPI document (routes say where it applies)."""
    build = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            schema = build()
            components = schema.setdefault("components", {})
            components.setdefault("securitySchemes", {})[SECURITY_SCHEME] = {
                "type": "http",
                "scheme": "bearer",
                "description": "The session token of a device (Authorization: Bearer).",
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def dispose(app: FastAPI) -> None:
    """Close the app's database connections (when its lifespan never ran)."""
    engine: Engine = app.state.runtime.engine
    engine.dispose()
