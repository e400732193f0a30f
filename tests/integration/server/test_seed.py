"""The vault seed guard, and what the database and logs must never hold."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import stat
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import create_engine, text

import escrowkit
from otpkeep.errors import SeedError
from otpkeep.server.app import create_app, dispose
from otpkeep.server.services.auth import hash_token

if TYPE_CHECKING:
    from pathlib import Path

    from service_harness import ServiceFactory, ServiceHarness

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:")


def test_first_start_creates_a_private_seed(service: ServiceHarness) -> None:
    """The first start with an empty database writes a 32-byte seed with mode 0600."""
    seed_file = service.settings.resolved_seed_file
    assert seed_file.stat().st_size == 32
    assert stat.S_IMODE(seed_file.stat().st_mode) == 0o600


def test_restart_with_the_same_seed_works(
    service: ServiceHarness, service_factory: ServiceFactory
) -> None:
    """A second start on the same database and seed starts and serves the same accounts."""
    device = escrowkit.enabled(service, "ann@example.com")
    restarted = service_factory()
    answer = restarted.client.get("/v1/backup", headers=device.headers)
    assert answer.status_code == 200


def test_missing_seed_refuses_to_start(service: ServiceHarness) -> None:
    """Without the seed file the service refuses with one sentence naming it."""
    seed_file = service.settings.resolved_seed_file
    seed_file.unlink()
    with pytest.raises(SeedError) as refused:
        create_app(service.settings)
    assert str(seed_file) in str(refused.value)
    assert "missing" in str(refused.value)
    assert not seed_file.exists()


def test_replaced_seed_refuses_to_start(service: ServiceHarness) -> None:
    """A different seed file refuses with one sentence, and is not overwritten."""
    seed_file = service.settings.resolved_seed_file
    seed_file.write_bytes(os.urandom(32))
    replaced = seed_file.read_bytes()
    with pytest.raises(SeedError) as refused:
        create_app(service.settings)
    assert "does not match" in str(refused.value)
    assert str(seed_file) in str(refused.value)
    assert seed_file.read_bytes() == replaced


def test_truncated_seed_refuses_to_start(service: ServiceHarness) -> None:
    """A seed file of the wrong size is refused."""
    seed_file = service.settings.resolved_seed_file
    seed_file.write_bytes(b"short")
    with pytest.raises(SeedError):
        create_app(service.settings)


def test_existing_seed_file_is_adopted_by_an_empty_database(
    tmp_path: Path, database_url: str, service_factory: ServiceFactory
) -> None:
    """An operator-provided seed file is used (not replaced) on the first start."""
    seed_file = tmp_path / "data" / "vault-seed"
    seed_file.parent.mkdir(parents=True)
    seed_file.write_bytes(b"\x07" * 32)
    service = service_factory()
    assert service.settings.resolved_seed_file.read_bytes() == b"\x07" * 32
    app = create_app(service.settings)
    dispose(app)


def test_database_and_logs_hold_no_secret(
    service: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """No code, session token, passcode or seed appears in any table or log line."""
    with caplog.at_level(logging.DEBUG):
        owner = escrowkit.enabled(service, "sec@example.com", passcode="918273")
        newcomer = escrowkit.device(service, "sec@example.com", "transfer")
        assert newcomer.recover("918273").status_code == 200
        started = service.client.post(
            "/v1/verifications", json={"email": "sec@example.com", "purpose": "transfer"}
        )
        pending_code = service.code("sec@example.com")
        link = service.link("sec@example.com")
        service.client.get(link.removeprefix(service.settings.public_url))
    assert started.status_code == 202
    secrets_to_find = {
        "pending code": pending_code.encode(),
        "owner token": owner.token.encode(),
        "newcomer token": newcomer.token.encode(),
        "passcode": b"918273",
        "seed": service.settings.resolved_seed_file.read_bytes(),
        "link token": link.rsplit("/", 1)[1].encode(),
    }
    engine = create_engine(service.settings.resolved_database_url)
    dumped = bytearray()
    with engine.connect() as connection:
        for table in (
            "accounts",
            "verifications",
            "sessions",
            "passcodes",
            "challenges",
            "backups",
            "events",
            "service_meta",
            "send_limits",
        ):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    if isinstance(value, dt.datetime) or TIMESTAMP.match(str(value)):
                        continue  # microseconds could spell any six digits
                    dumped += value if isinstance(value, bytes) else str(value).encode()
                    dumped += b"\0"
        outbox = connection.execute(
            text("SELECT recipient, subject, template, body FROM outbox_messages")
        ).all()
    engine.dispose()
    for row in outbox:
        assert row.body is None, "delivered mail keeps no body"
        dumped += f"{row.recipient} {row.subject} {row.template}".encode()
    service_logs = "\n".join(
        record.getMessage()
        for record in caplog.records
        if record.name.startswith(("otpkeep", "uvicorn", "sqlalchemy", "alembic"))
    )
    assert '"route": "/v/{token}"' in service_logs
    for name, secret in secrets_to_find.items():
        assert secret not in dumped, f"the database holds the {name}"
        assert secret.decode("latin-1") not in service_logs, f"a log line holds the {name}"
    assert hash_token(owner.token) in dumped
