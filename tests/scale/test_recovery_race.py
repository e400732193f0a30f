"""Three service processes on one PostgreSQL keep the passcode's promises under a stampede."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING

import httpx
import pytest
from devices import Balancer, bearer, enable, proof_payload, upload_headers, verify
from scrape import metric, wait_outbox_sent

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode

if TYPE_CHECKING:
    import uuid

    from mailsink import SinkServer

    from conftest import ClusterFactory

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ATTEMPTS = 200
TRIES = 10
WRONG = "1470"


async def _stampede(
    lb: Balancer, tokens: list[str], account_id: uuid.UUID
) -> tuple[int, Counter[tuple[int, str]]]:
    """200 guessers at once, each trying wrong passcodes until the backup is gone.

    Returns how many evaluations were answered, and every refusal by (status, code).
    """
    answered = 0
    refusals: Counter[tuple[int, str]] = Counter()
    # A connection per request: a pooled one the service closed after its keep-alive (5 s,
    # while this loop was busy with proofs on a loaded machine) would fail on reuse, and a
    # retried evaluation could not be told from a new one.
    limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def guesser(token: str) -> None:
            nonlocal answered
            while True:
                state, blinded = escrow.start(WRONG)
                answer = await client.post(
                    lb("/v1/recovery/evaluate"),
                    json={"blinded_element": b64encode(blinded)},
                    headers=bearer(token),
                )
                if answer.status_code == 200:
                    answered += 1
                    body = answer.json()
                    proof = await client.post(
                        lb("/v1/recovery/proof"),
                        json=proof_payload(state, body, account_id),
                        headers=bearer(token),
                    )
                    refusals[(proof.status_code, proof.json()["error"]["code"])] += 1
                    continue
                code = answer.json()["error"]["code"]
                refusals[(answer.status_code, code)] += 1
                if code != "recovery_wait":
                    return
                await asyncio.sleep(0.01)

        await asyncio.gather(*(guesser(tokens[n % len(tokens)]) for n in range(ATTEMPTS)))
    return answered, refusals


async def _start_all(lb: Balancer, email: str, count: int) -> list[int]:
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(url: str) -> int:
            answer = await client.post(url, json={"email": email, "purpose": "enable"})
            return answer.status_code

        return await asyncio.gather(*(one(lb("/v1/verifications")) for _ in range(count)))


def test_two_hundred_concurrent_guessers_over_two_processes_get_exactly_ten_tries(
    postgres_database: str, mail_sink: SinkServer, cluster: ClusterFactory
) -> None:
    """200 guessers at once over 2 processes on one PostgreSQL, each retrying until the backup
    is gone: exactly 10 evaluations are answered, 1 destruction, 9 failure mails and 1
    destruction mail, and the metrics of both processes agree."""
    group = cluster(postgres_database, services=2, smtp_url=mail_sink.url)
    lb = Balancer(group.urls)
    sink = mail_sink.sink
    email = "stampede@example.com"
    with httpx.Client(timeout=30) as client:
        owner = enable(client, lb, sink, email)
        sealed = owner.seal(b"accounts", 1)
        first = client.put(
            lb("/v1/backup"), content=sealed, headers=upload_headers(owner, None, sealed)
        )
        assert first.status_code == 200, first.text
        sessions = [verify(client, lb, sink, email, "transfer")["session_token"] for _ in range(2)]

    answered, refusals = asyncio.run(_stampede(lb, sessions, owner.account_id))

    assert answered == TRIES
    assert refusals[(403, "passcode_incorrect")] == TRIES
    assert set(refusals) <= {
        (403, "passcode_incorrect"),
        (429, "recovery_wait"),
        (404, "no_backup"),
        (401, "session_ended"),
    }
    with httpx.Client(timeout=30) as client:
        after = client.post(
            lb("/v1/recovery/evaluate"),
            json={"blinded_element": b64encode(escrow.start(WRONG)[1])},
            headers=bearer(sessions[0]),
        )
        assert after.status_code == 401
        assert after.json()["error"]["details"]["reason"] == "backup_destroyed"
    wait_outbox_sent(postgres_database)
    templates = Counter(sink.templates(email))
    assert templates["backup_destroyed"] == 1
    assert templates["passcode_failed"] == TRIES - 1
    assert sum(metric(url, "otpkeep_passcode_tries_spent_total") for url in group.urls) == TRIES
    assert sum(metric(url, "otpkeep_backups_destroyed_total") for url in group.urls) == 1


def test_the_send_limit_holds_across_processes(
    postgres_database: str, mail_sink: SinkServer, cluster: ClusterFactory
) -> None:
    """60 simultaneous code requests for one address over 3 processes: exactly 5 are sent."""
    group = cluster(postgres_database, services=3, smtp_url=mail_sink.url, max_sends_per_hour=5)
    lb = Balancer(group.urls)
    email = "limited@example.com"

    statuses = Counter(asyncio.run(_start_all(lb, email, 60)))

    assert statuses == Counter({202: 5, 429: 55})
    wait_outbox_sent(postgres_database)
    assert mail_sink.sink.templates(email) == ["verification_code"] * 5
