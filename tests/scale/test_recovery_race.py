"""Three service processes on one PostgreSQL keep the passcode's promises under a stampede."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from devices import Balancer, bearer, enable, proof_payload, verify
from scrape import metric, wait_outbox_sent

from otpkeep.crypto import escrow
from otpkeep.protocol.encoding import b64encode

if TYPE_CHECKING:
    from mailsink import SinkServer

    from conftest import ClusterFactory

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ATTEMPTS = 200
TRIES = 10
WRONG = "1470"


async def _evaluate_all(
    lb: Balancer, tokens: list[str]
) -> list[tuple[int, dict[str, Any], escrow.PasscodeState, str]]:
    """Send every evaluation at once; (status, body, device state, session) of each."""
    prepared = [(escrow.start(WRONG), tokens[n % len(tokens)]) for n in range(ATTEMPTS)]
    limits = httpx.Limits(max_connections=ATTEMPTS, max_keepalive_connections=ATTEMPTS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def one(
            state_blinded: tuple[escrow.PasscodeState, bytes], token: str, url: str
        ) -> tuple[int, dict[str, Any], escrow.PasscodeState, str]:
            state, blinded = state_blinded
            answer = await client.post(
                url, json={"blinded_element": b64encode(blinded)}, headers=bearer(token)
            )
            return answer.status_code, answer.json(), state, token

        return await asyncio.gather(
            *(one(pair, token, lb("/v1/recovery/evaluate")) for pair, token in prepared)
        )


async def _prove_all(
    lb: Balancer, proofs: list[tuple[str, dict[str, str]]]
) -> list[tuple[int, dict[str, Any]]]:
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(token: str, body: dict[str, str], url: str) -> tuple[int, dict[str, Any]]:
            answer = await client.post(url, json=body, headers=bearer(token))
            return answer.status_code, answer.json()

        return await asyncio.gather(
            *(one(token, body, lb("/v1/recovery/proof")) for token, body in proofs)
        )


async def _start_all(lb: Balancer, email: str, count: int) -> list[int]:
    async with httpx.AsyncClient(timeout=60) as client:

        async def one(url: str) -> int:
            answer = await client.post(url, json={"email": email, "purpose": "enable"})
            return answer.status_code

        return await asyncio.gather(*(one(lb("/v1/verifications")) for _ in range(count)))


def test_two_hundred_concurrent_tries_over_three_processes_answer_exactly_ten(
    postgres_database: str, mail_sink: SinkServer, cluster: ClusterFactory
) -> None:
    """200 simultaneous evaluations over 3 processes: 10 answered, 1 destruction, 1 email."""
    group = cluster(postgres_database, services=3, smtp_url=mail_sink.url)
    lb = Balancer(group.urls)
    sink = mail_sink.sink
    email = "stampede@example.com"
    with httpx.Client(timeout=30) as client:
        owner = enable(client, lb, sink, email)
        sealed = escrow.seal_backup(owner.data_key, b"accounts", account_id=owner.account_id)
        first = client.put(
            lb("/v1/backup"), content=sealed, headers={**bearer(owner.token), "If-None-Match": "*"}
        )
        assert first.status_code == 200, first.text
        sessions = [verify(client, lb, sink, email, "transfer")["session_token"] for _ in range(2)]

    evaluations = asyncio.run(_evaluate_all(lb, sessions))

    answered = [item for item in evaluations if item[0] == 200]
    assert len(answered) == TRIES
    assert sorted(item[1]["tries_left"] for item in answered) == list(range(TRIES))
    refused = Counter(
        (status, body["error"]["code"]) for status, body, _, _ in evaluations if status != 200
    )
    assert refused == Counter({(429, "recovery_wait"): ATTEMPTS - TRIES})

    proofs = [
        (token, proof_payload(state, body, owner.account_id)) for _, body, state, token in answered
    ]
    outcomes = asyncio.run(_prove_all(lb, proofs))

    assert [status for status, _ in outcomes] == [403] * TRIES
    assert {body["error"]["code"] for _, body in outcomes} == {"passcode_incorrect"}
    assert sum(bool(body["error"]["details"].get("destroyed")) for _, body in outcomes) == 1
    with httpx.Client(timeout=30) as client:
        after = client.post(
            lb("/v1/recovery/evaluate"),
            json={"blinded_element": b64encode(escrow.start(WRONG)[1])},
            headers=bearer(sessions[0]),
        )
        assert (after.status_code, after.json()["error"]["code"]) == (404, "no_backup")
        events = client.get(lb("/v1/events"), headers=bearer(owner.token)).json()["events"]
    assert [event["kind"] for event in events].count("backup_destroyed") == 1
    wait_outbox_sent(postgres_database)
    templates = Counter(sink.templates(email))
    assert templates["backup_destroyed"] == 1
    assert templates["passcode_failed"] == TRIES
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
