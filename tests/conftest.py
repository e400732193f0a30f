"""Shared fixtures: fresh databases, and the backup service running in-process or on a socket.

- ``database_url``: a fresh database at the newest schema and without data (copied from a
  template migrated once per run), parametrised over ``sqlite`` (a file in ``tmp_path``)
  and ``postgresql`` (``OTPKEEP_TEST_POSTGRES_URL``, default
  ``postgresql+psycopg://postgres@127.0.0.1:5432/test``: a new ``otpkeep_t_<random>``
  database per test, dropped afterwards). When PostgreSQL does not answer, the
  ``postgresql`` variants skip and the terminal summary says so in one line.
- ``service``: the service built on ``database_url`` (see :class:`ServiceHarness`, in
  tests/service_harness.py): the app, its settings, a synchronous ``TestClient``, the mail it
  sent (a ``MemoryMailer``, filled by :meth:`ServiceHarness.deliver`), a settable clock, and
  shortcuts for the common flows.
- ``live_service``: the same service served by uvicorn on a free loopback port in a thread;
  ``live_service.url`` is its base URL (for the CLI and the benchmark). ``serve_live(harness)``
  does the same for a service built with ``service_factory(**settings)``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import uvicorn
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from otpkeep.server.app import create_app, dispose
from otpkeep.server.db.engine import open_engine
from otpkeep.server.db.migrate import migrate
from otpkeep.server.mail.mailer import MemoryMailer
from otpkeep.server.settings import Settings
from service_harness import ServiceHarness, SettableClock

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from fastapi import FastAPI

    from service_harness import ServiceFactory

with warnings.catch_warnings():
    # Starlette's TestClient warns that it will move from httpx; it still works with it.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# Hypothesis's per-example deadline measures the machine, not the code: on a loaded
# two-core CI runner it fails tests that are correct. Speed goals live in bench/.
hypothesis_settings.register_profile("otpkeep", deadline=None)
hypothesis_settings.load_profile("otpkeep")

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
METRICS_TOKEN = "test-metrics-token"
POSTGRES_URL = os.environ.get("OTPKEEP_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL
_postgres_state: dict[str, str | None] = {}


def postgres_unreachable() -> str | None:
    """Why PostgreSQL cannot be used for tests, or None when it answers (asked once)."""
    if "reason" not in _postgres_state:
        engine = create_engine(
            POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            _postgres_state["reason"] = None
        except OperationalError:
            where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
            _postgres_state["reason"] = (
                f"PostgreSQL not reachable at {where}: PostgreSQL tests skipped"
            )
        finally:
            engine.dispose()
    return _postgres_state["reason"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """One line in the summary when the PostgreSQL variants were skipped."""
    reason = _postgres_state.get("reason")
    if reason:
        terminalreporter.write_line(reason)


@pytest.fixture(scope="session")
def migrated_templates(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, str]]:
    """Empty databases at the newest schema, made once per run and copied for each test."""
    templates: dict[str, str] = {}
    sqlite_file = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = open_engine(f"sqlite:///{sqlite_file}")
    migrate(engine)
    engine.dispose()
    templates["sqlite"] = str(sqlite_file)
    admin = None
    if postgres_unreachable() is None:
        name = f"otpkeep_tpl_{secrets.token_hex(6)}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine = open_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
        migrate(engine)
        engine.dispose()
        templates["postgresql"] = name
    yield templates
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{templates["postgresql"]}" WITH (FORCE)')
            )
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_templates: dict[str, str]
) -> Iterator[str]:
    """A fresh database of this test alone, at the newest schema and without data.

    ``sqlite``: a file in ``tmp_path``; ``postgresql``: a new ``otpkeep_t_<random>`` database
    on ``OTPKEEP_TEST_POSTGRES_URL``, dropped after the test.
    """
    if request.param == "sqlite":
        database = tmp_path / "service.sqlite3"
        shutil.copyfile(migrated_templates["sqlite"], database)
        yield f"sqlite:///{database}"
        return
    reason = postgres_unreachable()
    if reason:
        pytest.skip(reason)
    name = f"otpkeep_t_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(
            text(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_templates["postgresql"]}"')
        )
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Settings for a test service: small KDF, no retry waits, lax send limits, a metrics token.

    Every test client comes from one address, so the per-client and per-pair send limits
    (and their gaps) are lifted; tests of the limits set them back.
    """
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": database_url,
        "mail_delivery": "worker",
        "kdf_memory_kib": 8,
        "kdf_iterations": 1,
        "kdf_lanes": 1,
        "passcode_retry_delays": "0",
        "max_sends_per_client_per_hour": 10_000,
        "max_sends_per_address_client_per_hour": 10_000,
        "send_gaps": "0",
        "public_url": "http://127.0.0.1:8000",
        "metrics_token": METRICS_TOKEN,
    }
    values.update(overrides)
    return Settings(**values)


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header of a session token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def service_factory(database_url: str, tmp_path: Path) -> Iterator[ServiceFactory]:
    """Build services on ``database_url`` with setting overrides: ``service_factory(**settings)``.

    Every service built shares the database (a second one is "a restart").
    """
    built: list[ServiceHarness] = []

    def build(**overrides: Any) -> ServiceHarness:
        clock = SettableClock()
        settings = test_settings(tmp_path / "data", database_url, **overrides)
        mailer = MemoryMailer()
        app = create_app(settings, clock=clock, mailer=mailer)
        harness = ServiceHarness(
            app=app, settings=settings, client=TestClient(app), mailer=mailer, clock=clock
        )
        built.append(harness)
        return harness

    yield build
    for harness in built:
        harness.client.close()
        dispose(harness.app)


@pytest.fixture
def service(service_factory: ServiceFactory) -> ServiceHarness:
    """The backup service of this test (see :class:`ServiceHarness`)."""
    return service_factory()


@dataclass
class LiveServer:
    """A uvicorn server in a thread; stop it with :meth:`stop`."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Ask uvicorn to exit and wait for it."""
        self.server.should_exit = True
        self.thread.join(10)


def serve_in_thread(app: FastAPI) -> LiveServer:
    """Serve ``app`` on a free port of 127.0.0.1 until :meth:`LiveServer.stop`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    return LiveServer(server=server, thread=thread, url=f"http://127.0.0.1:{port}")


@pytest.fixture
def serve_live() -> Iterator[Callable[[ServiceHarness], ServiceHarness]]:
    """Serve a harness's app with uvicorn on loopback: ``serve_live(harness).url``."""
    servers: list[LiveServer] = []

    def serve(harness: ServiceHarness) -> ServiceHarness:
        live = serve_in_thread(harness.app)
        servers.append(live)
        harness.url = live.url
        return harness

    yield serve
    for live in servers:
        live.stop()


@pytest.fixture
def live_service(
    service: ServiceHarness, serve_live: Callable[[ServiceHarness], ServiceHarness]
) -> ServiceHarness:
    """:func:`service`, also served by uvicorn on loopback; its ``url`` is the base URL."""
    return serve_live(service)
