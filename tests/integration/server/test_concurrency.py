"""The guess limit and uploads under real concurrency, over a real socket."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
import pytest

import escrowkit
from otpkeep.protocol.errors import ErrorCode

if TYPE_CHECKING:
    from collections.abc import Callable

    from service_harness import ServiceFactory, ServiceHarness

pytestmark = pytest.mark.slow

ATTEMPTS = 50


def test_fifty_concurrent_guesses_get_ten_evaluations_and_one_destruction(
    live_service: ServiceHarness,
) -> None:
    """50 simultaneous wrong guesses: the ones answered take turns (one attempt is open at a
    time, the rest wait), exactly 10 in all, one destruction, one destruction mail."""
    service = live_service
    owner = escrowkit.enabled(service, "target@example.com", passcode="2580")
    thief = escrowkit.device(service, "target@example.com", "transfer")
    barrier = threading.Barrier(ATTEMPTS)

    def guess(number: int) -> tuple[int, int | None]:
        with httpx.Client(base_url=service.url, timeout=60) as client:
            device = escrowkit.Device(client, thief.token, thief.account_id)
            barrier.wait()
            answer, state = device.evaluate(f"{number:04d}")
            if answer.status_code != 200:
                return answer.status_code, None
            proof, _ = device.prove(state, answer.json())
            return 200, proof.status_code

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        results = list(pool.map(guess, range(1000, 1000 + ATTEMPTS)))
    evaluated = [proof for status, proof in results if status == 200]
    assert 1 <= len(evaluated) <= 10
    assert all(proof == 403 for proof in evaluated)
    assert {status for status, _ in results} <= {200, 429}
    later = 0
    while True:  # spend what is left, as an attacker would
        answer, state = thief.evaluate("0000")
        if answer.status_code != 200:
            break
        later += 1
        thief.prove(state, answer.json())
    assert len(evaluated) + later == 10
    assert answer.json()["error"]["code"] == ErrorCode.SESSION_ENDED
    assert answer.json()["error"]["details"]["reason"] == "backup_destroyed"
    assert service.templates("target@example.com").count("backup_destroyed") == 1
    assert service.templates("target@example.com").count("passcode_failed") == 9
    del owner
    again = escrowkit.device(service, "target@example.com")
    assert again.set_passcode("7391").status_code == 200
    events = service.client.get("/v1/events", headers=again.headers).json()["events"]
    kinds = [event["kind"] for event in events]
    assert kinds.count("backup_destroyed") == 1
    assert kinds.count("passcode_failed") == 9


def test_concurrent_uploads_lose_no_acknowledged_version(
    service_factory: ServiceFactory, serve_live: Callable[[ServiceHarness], ServiceHarness]
) -> None:
    """Uploads racing with If-Match: every acknowledged version is stored as acknowledged."""
    service = serve_live(service_factory(versions_kept=1000))
    owner = escrowkit.enabled(service, "racer@example.com")
    writers, rounds = 16, 5
    acknowledged: dict[int, bytes] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(writers)

    def write(writer: int) -> None:
        with httpx.Client(base_url=service.url, timeout=60) as client:
            device = escrowkit.Device(client, owner.token, owner.account_id, owner.data_key)
            barrier.wait()
            for turn in range(rounds):
                data = f"writer {writer} turn {turn}".encode()
                seen = 1
                while True:
                    answer = device.upload(data, if_match=seen)
                    if answer.status_code == 200:
                        with lock:
                            assert answer.json()["version"] not in acknowledged
                            acknowledged[answer.json()["version"]] = data
                        break
                    assert answer.status_code == 412, answer.text
                    seen = answer.json()["error"]["details"]["current_version"]

    with ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    assert sorted(acknowledged) == list(range(2, 2 + writers * rounds))
    for version, data in acknowledged.items():
        stored = service.client.get(f"/v1/backup/versions/{version}", headers=owner.headers)
        assert stored.content == data
