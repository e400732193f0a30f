"""kill -9 of a service process amid 500 concurrent uploads loses nothing acknowledged."""

from __future__ import annotations

import asyncio
import os
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
import pytest
from devices import Balancer, Owner, bearer, enable, upload_headers
from scrape import wait_outbox_sent
from sqlalchemy import create_engine, text

if TYPE_CHECKING:
    from mailsink import SinkServer

    from conftest import Cluster, ClusterFactory

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ACCOUNTS = 100
WRITERS = 5
KILL_AFTER = 120
RESTART_AFTER = 260
CODE_REQUESTS = 30


@dataclass
class Load:
    """What the writers saw: acknowledged versions, and requests that got no answer."""

    latest: dict[int, int | None]
    acked: list[tuple[int, int, bytes]] = field(default_factory=list)
    unanswered: int = 0
    unavailable: int = 0
    codes_accepted: list[str] = field(default_factory=list)
    killed_pid: int | None = None
    restarted_pid: int | None = None


async def _write(
    client: httpx.AsyncClient, lb: Balancer, load: Load, owner: Owner, *, number: int, data: bytes
) -> None:
    """Upload ``data`` as the next version, merging (retrying) until it is acknowledged."""
    while True:
        seen = load.latest[number]
        try:
            answer = await client.put(
                lb("/v1/backup"), content=data, headers=upload_headers(owner, seen, data)
            )
        except httpx.TransportError:
            load.unanswered += 1
            await asyncio.sleep(0.05)
            continue
        if answer.status_code == 200:
            version = int(answer.json()["version"])
            load.acked.append((number, version, data))
            load.latest[number] = max(version, load.latest[number] or 0)
            return
        if answer.status_code == 412:
            current = answer.json()["error"]["details"]["current_version"]
            load.latest[number] = max(current or 0, load.latest[number] or 0) or None
            await asyncio.sleep(random.random() / 50)
            continue
        assert answer.status_code == 503, answer.text
        load.unavailable += 1
        await asyncio.sleep(0.05)


async def _ask_code(client: httpx.AsyncClient, lb: Balancer, load: Load, email: str) -> None:
    """Ask for a code; remember the address when the service acknowledged it."""
    for _ in range(20):
        try:
            answer = await client.post(
                lb("/v1/verifications"), json={"email": email, "purpose": "enable"}
            )
        except httpx.TransportError:
            await asyncio.sleep(0.05)
            continue
        if answer.status_code == 202:
            load.codes_accepted.append(email)
        return


async def _fault(group: Cluster, load: Load) -> None:
    """Kill service 1 with SIGKILL once enough uploads were acknowledged, then restart it."""
    victim = group.services[1]
    while len(load.acked) < KILL_AFTER:  # noqa: ASYNC110 - a count, not an event, decides
        await asyncio.sleep(0.005)
    load.killed_pid = victim.pid
    await asyncio.to_thread(victim.kill)
    while len(load.acked) < RESTART_AFTER:  # noqa: ASYNC110 - same
        await asyncio.sleep(0.01)
    await asyncio.to_thread(victim.start)
    await asyncio.to_thread(victim.wait_ready)
    load.restarted_pid = victim.pid


async def _run(group: Cluster, owners: list[Owner], payloads: dict[int, list[bytes]]) -> Load:
    lb = Balancer(group.urls)
    load = Load(latest=dict.fromkeys(range(len(owners))))
    limits = httpx.Limits(max_connections=600, max_keepalive_connections=100)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        writes = [
            _write(client, lb, load, owner, number=number, data=data)
            for number, owner in enumerate(owners)
            for data in payloads[number]
        ]
        codes = [_ask_code(client, lb, load, f"new{n}@example.org") for n in range(CODE_REQUESTS)]
        await asyncio.gather(_fault(group, load), *writes, *codes)
    return load


def test_kill_nine_during_500_uploads_loses_no_acknowledged_version(
    postgres_database: str, mail_sink: SinkServer, cluster: ClusterFactory
) -> None:
    """Every acknowledged version reads back intact, no row is partial, every mail goes out once."""
    group = cluster(
        postgres_database,
        services=3,
        workers=2,
        smtp_url=mail_sink.url,
        mail_delivery="worker",
        versions_kept=1000,
    )
    setup = Balancer(group.urls)
    with ThreadPoolExecutor(16) as pool, httpx.Client(timeout=30) as client:
        owners = list(
            pool.map(
                lambda n: enable(client, setup, mail_sink.sink, f"owner{n}@example.com"),
                range(ACCOUNTS),
            )
        )
    payloads = {
        number: [
            f"{number}/{k}/".encode() + os.urandom(random.randint(64, 4096)) for k in range(WRITERS)
        ]
        for number in range(ACCOUNTS)
    }

    load = asyncio.run(_run(group, owners, payloads))

    assert len(load.acked) == ACCOUNTS * WRITERS
    assert load.unanswered > 0, "the kill happened after the load: nothing was proven"
    assert load.restarted_pid is not None
    assert load.restarted_pid != load.killed_pid
    lb = Balancer(group.urls)
    with httpx.Client(timeout=30) as client:
        for number, version, data in load.acked:
            stored = client.get(
                lb(f"/v1/backup/versions/{version}"), headers=bearer(owners[number].token)
            )
            assert (stored.status_code, stored.content) == (200, data)
        for number, owner in enumerate(owners):
            listed = client.get(lb("/v1/backup/versions"), headers=bearer(owner.token)).json()
            versions = sorted(item["version"] for item in listed["versions"])
            assert versions == list(range(1, len(versions) + 1))
            contents = {
                client.get(lb(f"/v1/backup/versions/{v}"), headers=bearer(owner.token)).content
                for v in versions
            }
            assert contents == set(payloads[number])
    engine = create_engine(postgres_database)
    with engine.connect() as connection:
        partial = connection.execute(
            text("SELECT count(*) FROM backups WHERE size <> length(data)")
        ).scalar_one()
    engine.dispose()
    assert partial == 0
    outbox = wait_outbox_sent(postgres_database)
    receipts = mail_sink.sink.receipts
    assert {message_id for message_id, _, _ in outbox} == set(receipts)
    assert len(mail_sink.sink.messages()) == len(outbox)
    delivered = mail_sink.sink.recipients()
    assert all(delivered[email] == 1 for email in load.codes_accepted)
