"""Send limits that a stranger cannot turn into a lockout of the owner.

Before: five code requests an hour from strangers blocked the owner from getting any
code (so from transferring) for an hour; the per-client bucket was one exact IP, so an
IPv6 /64 defeated it; and the device dropped the service's sentence and Retry-After.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from otpkeep.protocol.errors import ErrorCode
from otpkeep.server.services.verification import client_network

if TYPE_CHECKING:
    from collections.abc import Callable

    import httpx

    from conftest import Target
    from service_harness import ServiceFactory

EMAIL = "owner@example.com"
LIMITS = {"max_sends_per_address_client_per_hour": 5, "send_gaps": "0,30,60,120,300"}


def _ask(client: httpx.Client, email: str = EMAIL) -> httpx.Response:
    return client.post("/v1/verifications", json={"email": email, "purpose": "transfer"})


def test_a_stranger_using_up_their_sends_does_not_lock_the_owner_out(
    target_factory: Callable[..., Target],
) -> None:
    """A stranger on another network asks for the owner's codes until refused; the owner,
    from their own network, still gets a code at once."""
    target = target_factory(**LIMITS, max_sends_per_client_per_hour=20)
    stranger = target.client(source="127.0.0.2")
    owner = target.client(source="127.0.0.3")
    sent = 0
    while True:
        answer = _ask(stranger)
        if answer.status_code == 202:
            sent += 1
            continue
        wait = float(answer.headers["Retry-After"])
        if wait > 300:  # not a gap between sends: the network's hour is used up
            break
        target.harness.clock.advance(wait)
    assert sent == 5
    assert _ask(owner).status_code == 202
    assert target.harness.code(EMAIL)


def test_one_network_waits_longer_between_its_sends(target_factory: Callable[..., Target]) -> None:
    """From one network, each further code for one address waits longer than the last."""
    target = target_factory(**LIMITS)
    http = target.client(source="127.0.0.4")
    assert _ask(http).status_code == 202
    waits = []
    for _ in range(3):
        refused = _ask(http)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == ErrorCode.RATE_LIMITED
        wait = int(refused.headers["Retry-After"])
        assert f"try again in {wait} seconds" in refused.json()["error"]["message"] or (
            "minute" in refused.json()["error"]["message"]
        )
        waits.append(wait)
        target.harness.clock.advance(wait)
        assert _ask(http).status_code == 202
    assert waits == sorted(waits)
    assert waits[0] < waits[-1]


def test_many_networks_meet_the_address_ceiling(target_factory: Callable[..., Target]) -> None:
    """Strangers on many networks together still stop at the address's ceiling."""
    target = target_factory(**LIMITS, max_sends_per_hour=6)
    answers = [_ask(target.client(source=f"127.0.1.{number}")) for number in range(1, 9)]
    assert [answer.status_code for answer in answers].count(202) == 6
    assert answers[-1].status_code == 429


def test_an_ipv6_network_counts_as_one_client() -> None:
    """All addresses of one IPv6 /64 share a bucket; IPv4 and mapped IPv4 count per address."""
    assert client_network("2001:db8:1:2::1") == client_network("2001:db8:1:2:ffff::9")
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
    assert client_network("::ffff:192.0.2.7") == client_network("192.0.2.7") == "192.0.2.7"
    assert client_network("192.0.2.7") != client_network("192.0.2.8")


def test_addresses_of_one_ipv6_prefix_share_their_limit(service_factory: ServiceFactory) -> None:
    """Over the API: sends from two addresses of one /64 are counted together."""
    service = service_factory(**LIMITS)
    seen = []
    for host in ("2001:db8:5:6::1", "2001:db8:5:6::2", "2001:db8:5:6::3"):
        with TestClient(service.app, client=(host, 40000)) as client:
            seen.append(_ask(client).status_code)
    assert seen == [202, 429, 429]
    with TestClient(service.app, client=("2001:db8:5:7::1", 40000)) as client:
        assert _ask(client).status_code == 202
