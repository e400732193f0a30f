"""When the database cannot do the work: a 503 that says why and when to retry, never a 500."""

from __future__ import annotations

import dataclasses
import json
import logging
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, text

import escrowkit
from otpkeep.protocol.errors import ErrorCode
from otpkeep.server.db.engine import session_factory

if TYPE_CHECKING:
    import pytest

    from service_harness import ServiceHarness


def fill_the_disk(service: ServiceHarness) -> None:
    """Make every further write fail as a full disk does, on the service's own database."""
    engine = service.app.state.runtime.engine
    if engine.dialect.name == "sqlite":
        # The pool's one connection stops growing the file: SQLite answers SQLITE_FULL.
        with engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar()
            connection.exec_driver_sql(f"PRAGMA max_page_count = {pages}")
        return
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = '53100'; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER disk_full BEFORE INSERT ON backups "
                "FOR EACH ROW EXECUTE FUNCTION disk_full()"
            )
        )


def test_a_full_disk_is_named_in_the_answer_and_the_log(
    service: ServiceHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """An upload onto a full disk is 503 service_unavailable saying the disk is full, with
    Retry-After, and the log names it; the stored backup is untouched."""
    device = escrowkit.enabled(service, "full@example.com")
    fill_the_disk(service)
    with caplog.at_level(logging.ERROR, logger="otpkeep.server"):
        answer = device.upload(device.seal(b"x" * 200_000, 2), if_match=1)
    assert answer.status_code == 503, answer.text
    assert answer.json()["error"]["code"] == ErrorCode.SERVICE_UNAVAILABLE
    assert "no space left" in answer.json()["error"]["message"]
    assert int(answer.headers["retry-after"]) > 0
    events = [json.loads(record.getMessage())["event"] for record in caplog.records]
    assert "database_disk_full" in events
    newest = service.client.get("/v1/backup", headers=device.headers)
    assert newest.headers["etag"] == '"1"'


def test_an_unreachable_database_asks_to_retry(service: ServiceHarness) -> None:
    """A request while the database does not answer is 503 with Retry-After, not a 500."""
    device = escrowkit.enabled(service, "away@example.com")
    runtime = service.app.state.runtime
    unreachable = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/none", connect_args={"connect_timeout": 2}
    )
    service.app.state.runtime = dataclasses.replace(
        runtime, engine=unreachable, sessions=session_factory(unreachable)
    )
    try:
        for answer in (
            service.client.get("/v1/backup", headers=device.headers),
            service.client.get("/readyz"),
        ):
            assert answer.status_code == 503, answer.text
            assert answer.json()["error"]["code"] == ErrorCode.SERVICE_UNAVAILABLE
            assert int(answer.headers["retry-after"]) > 0
    finally:
        service.app.state.runtime = runtime
        unreachable.dispose()
