"""Fixtures of the scale proofs: a fresh PostgreSQL database, an SMTP sink, real processes.

``cluster`` starts ``otpkeep-server serve`` processes (and ``worker`` processes) on one
database: ``otpkeep-server migrate`` runs once first, as in a deployment, then every
process starts and the fixture waits for each ``/readyz``. Everything is killed and the
database dropped afterwards. Without a reachable PostgreSQL the proofs skip, saying so.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
from mailsink import SinkServer
from processes import ServiceProcess, free_port, run_command, service_environment
from scrape import METRICS_TOKEN
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

POSTGRES_URL = (
    os.environ.get("OTPKEEP_TEST_POSTGRES_URL")
    or "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
TEST_SETTINGS: dict[str, object] = {
    "kdf_memory_kib": 8,
    "kdf_iterations": 1,
    "kdf_lanes": 1,
    "passcode_retry_delays": "0",
    "max_sends_per_client_per_hour": 100_000,
    "max_sends_per_address_client_per_hour": 100_000,
    "max_sends_per_hour": 100_000,
    "send_gaps": "0",
    "public_url": "http://127.0.0.1:8000",
    "metrics_token": METRICS_TOKEN,
}


def postgres_reason() -> str | None:
    """Why the shared PostgreSQL cannot be used, or None when it answers."""
    engine = create_engine(
        POSTGRES_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        where = make_url(POSTGRES_URL).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {where} (OTPKEEP_TEST_POSTGRES_URL): proof skipped"
    finally:
        engine.dispose()
    return None


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database ``otpkeep_s_<random>``, dropped afterwards."""
    reason = postgres_reason()
    if reason:
        pytest.skip(reason)
    name = f"otpkeep_s_{secrets.token_hex(6)}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mail_sink() -> Iterator[SinkServer]:
    """An SMTP server on loopback that keeps one copy of each Message-ID."""
    server = SinkServer(free_port()).start()
    yield server
    server.stop()


@dataclass
class Cluster:
    """Service and worker processes sharing one database and one data folder (the seed)."""

    env: dict[str, str]
    folder: Path
    services: list[ServiceProcess] = field(default_factory=list)
    workers: list[ServiceProcess] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        """The base URLs of the service processes."""
        return [service.url for service in self.services]

    def stop(self) -> None:
        """Stop every process."""
        for process in [*self.services, *self.workers]:
            process.stop()


ClusterFactory = Callable[..., Cluster]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ClusterFactory]:
    """``cluster(database_url, services=3, workers=0, **settings)``: running processes."""
    started: list[Cluster] = []

    def start(
        database_url: str, *, services: int = 3, workers: int = 0, **settings: Any
    ) -> Cluster:
        values = {**TEST_SETTINGS, "data_dir": tmp_path / "data", "database_url": database_url}
        values.update(settings)
        env = service_environment(values)
        group = Cluster(env=env, folder=tmp_path)
        started.append(group)
        run_command(["migrate"], env, tmp_path / "migrate.log")
        for number in range(services):
            group.services.append(
                ServiceProcess(f"service {number}", env, tmp_path / f"service{number}.log")
            )
        for number in range(workers):
            group.workers.append(
                ServiceProcess(
                    f"worker {number}", env, tmp_path / f"worker{number}.log", command="worker"
                )
            )
        for process in [*group.services, *group.workers]:
            process.start()
        for service in group.services:
            service.wait_ready()
        return group

    yield start
    for group in started:
        group.stop()
